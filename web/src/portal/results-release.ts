/**
 * Which results a patient sees, by the practice's results-release setting
 * (docs/decisions/0004-practice-settings.md), and the sentence that tells them the rule.
 *
 * A clinician's review is the result's review Task (`urn:heron:inbox-task#review-result`,
 * docs/subscriptions.md#the-inbox) completed. Results that never had a review Task — history
 * loaded by the system, results from before the inbox — are not waiting on anyone, so only a
 * result with an open review counts as unreviewed.
 */
import type { DiagnosticReport, Observation, Task } from '@medplum/fhirtypes';
import { INBOX_TASK_SYSTEM } from '../inbox/inbox-items.ts';
import type { PracticeSettings } from '../practice/practice-settings.ts';

/** The search for a patient's result reviews: `Task?code=…`. */
export const REVIEW_TASK_TOKEN = `${INBOX_TASK_SYSTEM}|review-result`;
const DAY_MS = 86_400_000;
const DONE = new Set(['completed', 'cancelled', 'rejected', 'failed']);

export type ReleaseRule = PracticeSettings['resultsRelease'];

/** The result's references (`Observation/1`) whose review is still open. */
export function awaitingReview(tasks: readonly Task[]): Set<string> {
  const open = new Set<string>();
  for (const task of tasks) {
    const ref = task.focus?.reference;
    if (ref && !DONE.has(task.status)) open.add(ref);
  }
  return open;
}

/** When the result became final: `issued`, else when it was taken. */
function finalAt(result: Observation | DiagnosticReport): number {
  return Date.parse(result.issued ?? result.effectiveDateTime ?? result.effectivePeriod?.start ?? '');
}

/** Whether the patient may see this result now. */
export function isReleased(result: Observation | DiagnosticReport, rule: ReleaseRule, openReviews: ReadonlySet<string>, now: Date): boolean {
  if (result.status === 'preliminary' || result.status === 'registered' || result.status === 'entered-in-error' || result.status === 'cancelled') return false;
  if (rule.mode === 'immediate') return true;
  const reviewed = !openReviews.has(`${result.resourceType}/${result.id}`);
  if (rule.mode === 'after-review') return reviewed;
  const at = finalAt(result);
  return reviewed || (Number.isFinite(at) && at + (rule.delayDays ?? 0) * DAY_MS <= now.getTime());
}

/** The rule in the patient's words. */
export function releaseRuleText(rule: ReleaseRule): string {
  if (rule.mode === 'immediate') return 'Results appear here as soon as they are final, sometimes before your clinician has looked at them.';
  if (rule.mode === 'after-review') return 'Results appear here once your clinician has reviewed them.';
  const days = rule.delayDays ?? 0;
  return `Results appear here ${days} day${days === 1 ? '' : 's'} after they are final, or sooner when your clinician has reviewed them.`;
}

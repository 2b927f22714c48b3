/**
 * The sentence that tells a patient which results-release rule the practice chose
 * (docs/decisions/0004-practice-settings.md). The rule itself is enforced by the server: a result
 * it has not released is absent to patients and proxies on every path
 * (`src/domain/access/results-release.ts`), so the portal lists what its searches return.
 */
import type { PracticeSettings } from '../practice/practice-settings.ts';

export type ReleaseRule = PracticeSettings['resultsRelease'];

/** The rule in the patient's words. */
export function releaseRuleText(rule: ReleaseRule): string {
  if (rule.mode === 'immediate') return 'Results appear here as soon as they are final, sometimes before your clinician has looked at them.';
  if (rule.mode === 'after-review') return 'Results appear here once your clinician has reviewed them.';
  const days = rule.delayDays ?? 0;
  return `Results appear here ${days} day${days === 1 ? '' : 's'} after they are final, or sooner when your clinician has reviewed them.`;
}

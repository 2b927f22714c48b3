/**
 * The write rule of Organization: the practice's own Organization (practice-organization.ts) holds
 * settings the server enforces, so a write of it must carry valid settings (refused with 422 and an
 * OperationOutcome naming each field otherwise), it stays the only one (a second is refused with
 * 409), it names this practice, and it cannot be deleted or lose its identifier. Other
 * Organizations (payers, labs) are written as before. Who may write it is the role table's
 * business: the directory category, written by practice administrators only (docs/access.md).
 */
import type { Organization } from '@medplum/fhirtypes';
import { FhirError, issue } from '../../fhir/outcome.ts';
import type { WriteRule } from '../write-rules/write-rules.ts';
import { findPracticeOrganization, practiceIdentifier } from './practice-organization.ts';
import { settingsIssues } from './practice-settings.ts';

export const practiceOrganizationRule: WriteRule = async ({ ctx, tx, write, current }) => {
  const next = write.resource as Organization | undefined;
  const identifier = next && practiceIdentifier(next);
  if (!identifier) {
    if (write.method === 'POST') return;
    const before = await current();
    if (before?.resource && practiceIdentifier(before.resource as Organization)) {
      throw new FhirError('unprocessable', [issue('business-rule', "The practice's own Organization holds its name and settings: it cannot be deleted or lose its practice identifier.", 'Organization.identifier')]);
    }
    return;
  }
  if (identifier.value !== ctx.tenant) {
    throw new FhirError('unprocessable', [issue('business-rule', "The practice identifier must be this practice's id.", 'Organization.identifier')]);
  }
  const problems = settingsIssues(next);
  if (problems.length > 0) throw new FhirError('unprocessable', problems);
  // Two first writes at once would each find none: the lock orders them on every app server.
  await tx.lock('practice-organization');
  const existing = await findPracticeOrganization(tx);
  if (existing && existing.id !== write.id) {
    throw new FhirError('conflict', [issue('duplicate', `The practice already has its Organization (Organization/${existing.id}); change that one.`, 'Organization.identifier')]);
  }
};

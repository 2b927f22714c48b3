/**
 * What every practice starts with beyond its people and patients: the screening questionnaires
 * (PHQ-9, GAD-7), the pre-visit intake form and the order catalogue (labs and medication order sentences), written through
 * the FHIR API like any data (validated, indexed, audited) with a conditional create on each
 * resource's canonical URL, so loading again adds what is missing and never overwrites a
 * practice's own edits. More (any scored Questionnaire, more ActivityDefinitions) are added with
 * `heron import` or the API (docs/questionnaires.md, docs/orders.md).
 */
import type { ActivityDefinition, Questionnaire } from '@medplum/fhirtypes';
import { findPracticeOrganization, newPracticeOrganization, practiceOrganizationQuery } from '../domain/practice-settings/practice-organization.ts';
import { dispatch } from '../api/fhir/dispatch.ts';
import type { Ctx } from '../domain/context.ts';
import { ORDER_CATALOGUE } from '../domain/orders/order-catalogue.ts';
import { INTAKE } from '../domain/questionnaires/intake-questionnaire.ts';
import { SCREENING_QUESTIONNAIRES } from '../domain/questionnaires/screening-questionnaires.ts';

export const PRACTICE_CONTENT: readonly (Questionnaire | ActivityDefinition)[] = [...SCREENING_QUESTIONNAIRES, INTAKE, ...ORDER_CATALOGUE];

/** @returns how many resources were created now (the others were there already). */
export async function ensurePracticeContent(ctx: Ctx): Promise<number> {
  let created = 0;
  for (const resource of PRACTICE_CONTENT) {
    const response = await dispatch(ctx, {
      method: 'POST',
      path: resource.resourceType,
      query: new URLSearchParams(),
      headers: { ifNoneExist: new URLSearchParams({ url: resource.url! }).toString() },
      body: resource,
      baseUrl: 'http://localhost/fhir/R4',
    });
    if (response.status === 201) created++;
  }
  return created;
}

/**
 * The practice's own Organization (its name on printouts and its settings), created unless there:
 * a conditional create on the practice identifier, which the Organization write rule keeps single.
 * @returns whether it was created now.
 */
export async function ensurePracticeOrganization(ctx: Ctx, practice: { id: string; name: string }): Promise<boolean> {
  // Read first, so that every start of \`heron serve\` does not add an audit entry per practice for a create that finds it there.
  if (await findPracticeOrganization(ctx.store.reader(practice.id))) return false;
  const response = await dispatch(ctx, {
    method: 'POST',
    path: 'Organization',
    query: new URLSearchParams(),
    headers: { ifNoneExist: practiceOrganizationQuery(practice.id).toString() },
    body: newPracticeOrganization(practice),
    baseUrl: 'http://localhost/fhir/R4',
  });
  return response.status === 201;
}

/**
 * A patient's answers to a scored questionnaire (a PHQ-9 filled in the portal) are scored by the
 * server when they are sent: the completed QuestionnaireResponse is written with its score
 * Observation, in the same transaction, as `$extract` + transaction does for the chart. A patient
 * cannot write Observations (they state no clinical facts, roles.ts), and the score must not
 * depend on the patient's app, so the server writes it — from the practice's own Questionnaire,
 * by the same scoring code (docs/questionnaires.md). An incomplete PHQ-9 is refused (422, naming
 * what is not answered), like in the chart: a partial total would understate severity.
 *
 * The score's `performer` is the patient (or proxy) who answered: the chart shows it as
 * patient-entered.
 */
import type { QuestionnaireResponse } from '@medplum/fhirtypes';
import { newResourceId } from '../../fhir/resource-id.ts';
import { FhirError, issue } from '../../fhir/outcome.ts';
import { nowOf } from '../context.ts';
import type { WriteRule } from '../write-rules/write-rules.ts';
import { findQuestionnaire } from './find-questionnaire.ts';
import { scoreDefinition } from './score-definition.ts';
import { scoreObservation } from './score-observation.ts';
import { scoreResponse } from './scoring.ts';

export const patientAnswersScored: WriteRule = async ({ ctx, tx, write, current: read }) => {
  const p = ctx.principal;
  if (p.kind !== 'user' || p.patients === undefined) return;
  const response = write.resource as QuestionnaireResponse | undefined;
  if (response?.status !== 'completed' || !response.questionnaire) return;
  // Scored once, when the answers are sent (patients cannot change them afterwards: patient-writes.ts).
  const before = (await read())?.resource as QuestionnaireResponse | undefined;
  if (before?.status === 'completed') return;
  const questionnaire = await findQuestionnaire(tx, response.questionnaire);
  const definition = questionnaire && scoreDefinition(questionnaire);
  if (!definition) return;
  const result = scoreResponse(definition, response);
  if (result.kind === 'invalid') throw new FhirError('unprocessable', result.problems.map((text) => issue('business-rule', text, 'QuestionnaireResponse.item')));
  if (result.kind === 'incomplete') {
    throw new FhirError('unprocessable', [issue('required', `Answer every question of the ${definition.title} before sending it; not answered: ${result.missing.map((q) => `“${q.text}”`).join(', ')}.`, 'QuestionnaireResponse.item')]);
  }
  const ref = `QuestionnaireResponse/${write.id}`;
  const observation = scoreObservation(definition, response, { reference: ref }, result);
  const id = newResourceId();
  await tx.writeVersion({ resourceType: 'Observation', id, method: 'POST', resource: observation, expectedVersion: 0 });
  await ctx.audit.record(
    {
      tenant: ctx.tenant,
      principal: ctx.principal,
      action: 'create',
      outcome: 'success',
      resourceType: 'Observation',
      ids: [id],
      patients: response.subject?.reference ? [response.subject.reference] : [],
      origin: ctx.origin,
      at: new Date(nowOf(ctx)).toISOString(),
      detail: JSON.stringify({ rule: 'patient-answers-scored', answers: ref }),
    },
    tx,
  );
};

/**
 * The write rules that keep screening scores trustworthy whoever writes them (the app, another
 * SMART app, a transaction, an import): a score Observation derived from a QuestionnaireResponse
 * must be exactly the score its answers give under the practice's Questionnaire, and the answers
 * of a scored response cannot change underneath their score. See docs/questionnaires.md.
 */
import type { Observation, QuestionnaireResponse } from '@medplum/fhirtypes';
import { FhirError, issue } from '../../fhir/outcome.ts';
import { parseSearch } from '../../fhir/search/parse.ts';
import type { StoreReader } from '../../store/store.ts';
import type { WriteRule } from '../write-rules/write-rules.ts';
import { findQuestionnaire } from './find-questionnaire.ts';
import { scoreDefinition } from './score-definition.ts';
import { isScoreOf, scoreMismatches } from './score-observation.ts';
import { scoreResponse } from './scoring.ts';

/** Statuses that withdraw a score rather than state one; always allowed. */
const WITHDRAWN = new Set(['entered-in-error', 'cancelled']);

function refuse(message: string, expression: string): FhirError {
  return new FhirError('unprocessable', [issue('business-rule', message, expression)]);
}

function responseIdOf(reference: string | undefined): string | undefined {
  const match = /^(?:.*\/)?QuestionnaireResponse\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/.*)?$/.exec(reference ?? '');
  return match?.[1];
}

/** An Observation derived from a scored response must agree with the answers (the version it replaces does not matter). */
export const scoreMatchesAnswers: WriteRule = async ({ tx, write }) => {
  const observation = write.resource as Observation | undefined;
  if (!observation || WITHDRAWN.has(observation.status)) return;
  for (const [index, derived] of (observation.derivedFrom ?? []).entries()) {
    const id = responseIdOf(derived.reference);
    if (id === undefined) continue;
    const stored = await tx.readCurrent('QuestionnaireResponse', id);
    if (!stored?.resource || stored.deleted) throw refuse(`The score is derived from QuestionnaireResponse/${id}, which does not exist: save the answers first (in the same transaction, before the score).`, `Observation.derivedFrom[${index}]`);
    const response = stored.resource as QuestionnaireResponse;
    const questionnaire = response.questionnaire ? await findQuestionnaire(tx, response.questionnaire) : undefined;
    const definition = questionnaire && scoreDefinition(questionnaire);
    if (!definition || !isScoreOf(definition, observation)) continue;
    const mismatches = scoreMismatches(definition, response, scoreResponse(definition, response), observation);
    if (mismatches.length > 0) throw refuse(`This ${definition.title} score does not match its answers: ${mismatches.join('; ')}.`, 'Observation.valueQuantity');
  }
};

async function scoreOf(tx: StoreReader, responseId: string): Promise<Observation | undefined> {
  const query = new URLSearchParams({ 'derived-from': `QuestionnaireResponse/${responseId}`, 'status:not': 'entered-in-error' });
  const { request } = parseSearch(['Observation'], query, { strict: true, defaultCount: 1, maxCount: 1 });
  return (await tx.search({ ...request, total: 'none' })).resources[0] as Observation | undefined;
}

/** The answers of a response that has a score cannot change or go; mark the score entered-in-error first. */
export const scoredAnswersStay: WriteRule = async ({ tx, write, current: read }) => {
  const current = await read();
  if (!current?.resource || current.deleted) return;
  const before = current.resource as QuestionnaireResponse;
  const after = write.resource as QuestionnaireResponse | undefined;
  if (after && JSON.stringify(after.item ?? []) === JSON.stringify(before.item ?? []) && after.questionnaire === before.questionnaire && after.subject?.reference === before.subject?.reference) return;
  if (after && after.status === 'entered-in-error') return;
  const score = await scoreOf(tx, write.id);
  if (score) throw refuse(`These answers have a score (Observation/${score.id}); they cannot be changed or deleted while it stands. Answer the questionnaire again, or mark the score entered-in-error first.`, 'QuestionnaireResponse.item');
};

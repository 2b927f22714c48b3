/**
 * The score of a QuestionnaireResponse as an Observation (US Core Observation Screening
 * Assessment shape): category survey, the total item's LOINC code, the total as a `{score}`
 * quantity, the band as interpretation, each flagged answer as a component, `derivedFrom` the
 * response. `scoreMismatches` says how a stored or sent Observation differs from the one the
 * answers give: the write rule refuses any difference.
 */
import type { CodeableConcept, Observation, ObservationComponent, QuestionnaireResponse, Reference } from '@medplum/fhirtypes';
import type { ScoreDefinition } from './score-definition.ts';
import type { ScoreResult } from './scoring.ts';

const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const UCUM = 'http://unitsofmeasure.org';

type Scored = Extract<ScoreResult, { kind: 'scored' }>;

function bandConcept(result: Scored): CodeableConcept[] | undefined {
  const band = result.band?.interpretation;
  return band ? [{ coding: [band], text: band.display ?? band.code! }] : undefined;
}

export function scoreObservation(definition: ScoreDefinition, response: QuestionnaireResponse, responseRef: Reference<QuestionnaireResponse>, result: Scored): Observation {
  const components: ObservationComponent[] = result.flags.map((flag) => ({
    code: { ...(flag.question.code ? { coding: [flag.question.code] } : {}), text: flag.question.text },
    valueCodeableConcept: { coding: [flag.answer], text: flag.answer.display ?? flag.answer.code! },
    interpretation: [{ coding: [{ system: INTERPRETATION, code: 'A', display: 'Abnormal' }], text: flag.text }],
  }));
  const interpretation = bandConcept(result);
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'survey', display: 'Survey' }] }],
    code: { coding: [definition.totalCode], text: definition.totalCode.display ?? `${definition.title} total score` },
    ...(response.subject?.reference ? { subject: { reference: response.subject.reference } } : {}),
    ...(response.encounter?.reference ? { encounter: { reference: response.encounter.reference } } : {}),
    ...(response.authored ? { effectiveDateTime: response.authored } : {}),
    ...(response.author?.reference ? { performer: [{ reference: response.author.reference }] } : {}),
    valueQuantity: { value: result.total, unit: '{score}', system: UCUM, code: '{score}' },
    ...(interpretation ? { interpretation } : {}),
    ...(result.flags.length > 0 ? { note: result.flags.map((f) => ({ text: f.text })) } : {}),
    ...(components.length > 0 ? { component: components } : {}),
    derivedFrom: [responseRef],
  };
}

/** Whether an Observation claims to be the score of the definition (its code is the total's). */
export function isScoreOf(definition: ScoreDefinition, observation: Observation): boolean {
  return (observation.code?.coding ?? []).some((c) => c.code === definition.totalCode.code && (c.system ?? '') === (definition.totalCode.system ?? ''));
}

/** What in `observation` disagrees with the score the answers give; empty when it agrees. */
export function scoreMismatches(definition: ScoreDefinition, response: QuestionnaireResponse, result: ScoreResult, observation: Observation): string[] {
  if (result.kind === 'incomplete') return [`the answers are incomplete (not answered: ${result.missing.map((q) => q.linkId).join(', ')}), so they have no score`];
  if (result.kind === 'invalid') return result.problems;
  const problems: string[] = [];
  const value = observation.valueQuantity?.value;
  const bandText = result.band ? ` (${result.band.interpretation.display ?? result.band.interpretation.code})` : '';
  if (value !== result.total) problems.push(`the answers give a total of ${result.total}${bandText}, not ${value ?? 'nothing'}`);
  const expectedBand = result.band?.interpretation;
  const bands = (observation.interpretation ?? []).flatMap((i) => i.coding ?? []).filter((c) => c.system === expectedBand?.system);
  if (expectedBand && !(bands.length === 1 && bands[0]!.code === expectedBand.code)) problems.push(`the band of ${result.total} is ${expectedBand.display ?? expectedBand.code}`);
  if (response.subject?.reference !== observation.subject?.reference) problems.push('the score is not about the patient who answered');
  const flagged = new Set(result.flags.map((f) => f.question.code?.code ?? f.question.text));
  const components = new Set((observation.component ?? []).map((c) => c.code.coding?.[0]?.code ?? c.code.text ?? ''));
  for (const flag of result.flags) {
    if (!components.has(flag.question.code?.code ?? flag.question.text)) problems.push(`the flagged answer to “${flag.question.text}” is missing from the score`);
  }
  for (const c of components) if (!flagged.has(c)) problems.push(`the score flags “${c}”, which the answers do not`);
  return problems;
}

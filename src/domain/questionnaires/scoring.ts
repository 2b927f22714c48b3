/**
 * Scoring a QuestionnaireResponse by its Questionnaire's definition (`score-definition.ts`): the
 * total is the sum of the answers' weights, its band the published one it falls in, and each
 * flagged question answered above its threshold is reported. A score needs every scored
 * question answered: published instruments (PHQ-9, GAD-7) are validated on complete answers, so
 * a partial total would understate severity.
 */
import type { Coding, QuestionnaireResponse, QuestionnaireResponseItem } from '@medplum/fhirtypes';
import type { ScoreBand, ScoreDefinition, ScoredQuestion } from './score-definition.ts';

export interface ScoreFlag {
  question: ScoredQuestion;
  answer: Coding;
  text: string;
}

export type ScoreResult =
  | { kind: 'scored'; total: number; band: ScoreBand | undefined; flags: ScoreFlag[]; answers: Map<string, Coding> }
  | { kind: 'incomplete'; missing: ScoredQuestion[] }
  /** An answer that is not one of the question's options, or a question answered twice. */
  | { kind: 'invalid'; problems: string[] };

function responseItems(items: readonly QuestionnaireResponseItem[] | undefined): QuestionnaireResponseItem[] {
  return (items ?? []).flatMap((item) => [item, ...responseItems(item.item), ...(item.answer ?? []).flatMap((a) => responseItems(a.item))]);
}

function sameCoding(a: Coding, b: Coding): boolean {
  return a.code === b.code && (a.system ?? '') === (b.system ?? '');
}

/** The band a total falls in: the last whose low is at most the total and whose high (if any) is at least it. */
export function bandFor(bands: readonly ScoreBand[], total: number): ScoreBand | undefined {
  return bands.find((b) => total >= b.low && (b.high === undefined || total <= b.high));
}

export function scoreResponse(definition: ScoreDefinition, response: QuestionnaireResponse): ScoreResult {
  const byLinkId = new Map<string, QuestionnaireResponseItem[]>();
  for (const item of responseItems(response.item)) byLinkId.set(item.linkId, [...(byLinkId.get(item.linkId) ?? []), item]);
  const problems: string[] = [];
  const missing: ScoredQuestion[] = [];
  const answers = new Map<string, Coding>();
  let total = 0;
  const flags: ScoreFlag[] = [];
  for (const question of definition.questions) {
    const given = (byLinkId.get(question.linkId) ?? []).flatMap((i) => i.answer ?? []);
    if (given.length === 0) {
      missing.push(question);
      continue;
    }
    if (given.length > 1) {
      problems.push(`“${question.text}” (${question.linkId}) has ${given.length} answers; it takes one.`);
      continue;
    }
    const coding = given[0]!.valueCoding;
    const option = coding && question.options.find((o) => sameCoding(o.coding, coding));
    if (!coding || !option) {
      problems.push(`The answer to “${question.text}” (${question.linkId}) is not one of its options.`);
      continue;
    }
    answers.set(question.linkId, option.coding);
    total += option.weight;
    if (question.flag && option.weight > question.flag.above) flags.push({ question, answer: option.coding, text: question.flag.text });
  }
  if (problems.length > 0) return { kind: 'invalid', problems };
  if (missing.length > 0) return { kind: 'incomplete', missing };
  return { kind: 'scored', total, band: bandFor(definition.bands, total), flags, answers };
}

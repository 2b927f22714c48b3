/**
 * Screening questionnaires in the browser: the questions to show (from the practice's
 * Questionnaire), the QuestionnaireResponse the answers make, and how a stored score reads. The
 * browser never scores: the server does (`QuestionnaireResponse/$extract`) and refuses a score
 * that disagrees with the answers (docs/questionnaires.md), so what is shown is what is stored.
 */
import type { Coding, Observation, Questionnaire, QuestionnaireItem, QuestionnaireResponse } from '@medplum/fhirtypes';
import { patientReference, type EntryContext } from '../clinical-lists/entry-context.ts';

export interface ScreeningQuestion {
  linkId: string;
  /** "1", "2" …: the number shown beside it. */
  number: number;
  text: string;
  options: Coding[];
}

function flatten(items: readonly QuestionnaireItem[] | undefined): QuestionnaireItem[] {
  return (items ?? []).flatMap((i) => [i, ...flatten(i.item)]);
}

/** The questions a clinician answers: choice items with options, not the read-only total. */
export function questionsOf(q: Questionnaire): ScreeningQuestion[] {
  return flatten(q.item)
    .filter((i) => !i.readOnly && i.type === 'choice' && (i.answerOption?.length ?? 0) > 0)
    .map((i, index) => ({ linkId: i.linkId, number: index + 1, text: i.text ?? i.linkId, options: (i.answerOption ?? []).map((o) => o.valueCoding).filter((c): c is Coding => c !== undefined) }));
}

/** The LOINC code of the score Observations, from the read-only total item: to find this questionnaire's past scores. */
export function scoreCodeOf(q: Questionnaire): Coding | undefined {
  return flatten(q.item).find((i) => i.readOnly && (i.type === 'integer' || i.type === 'decimal'))?.code?.[0];
}

const SCORE_BAND = 'https://heron.dev/fhir/StructureDefinition/score-band';

/** The lowest band (PHQ-9: 0–4, minimal), drawn on the trend as the reference range; scores above it are marked. */
export function lowestBand(q: Questionnaire): { low: number; high: number } | undefined {
  const total = flatten(q.item).find((i) => i.readOnly && (i.type === 'integer' || i.type === 'decimal'));
  const bands = (total?.extension ?? [])
    .filter((e) => e.url === SCORE_BAND)
    .map((e) => ({ low: e.extension?.find((x) => x.url === 'low')?.valueInteger, high: e.extension?.find((x) => x.url === 'high')?.valueInteger }))
    .filter((b): b is { low: number; high: number } => b.low !== undefined && b.high !== undefined)
    .sort((a, b) => a.low - b.low);
  return bands[0];
}

/** Whether a Questionnaire is one the screening screen can offer (scored, active). */
export function isScreening(q: Questionnaire): boolean {
  return q.status === 'active' && scoreCodeOf(q) !== undefined && questionsOf(q).length > 0;
}

/** Answers by linkId: the chosen option's code. */
export type Answers = Record<string, string>;

export function unanswered(questions: readonly ScreeningQuestion[], answers: Answers): ScreeningQuestion[] {
  return questions.filter((q) => !answers[q.linkId]);
}

export function responseFrom(q: Questionnaire, answers: Answers, ctx: EntryContext): QuestionnaireResponse {
  const questions = questionsOf(q);
  return {
    resourceType: 'QuestionnaireResponse',
    status: 'completed',
    questionnaire: q.url!,
    subject: patientReference(ctx.patientId),
    authored: ctx.now.toISOString(),
    ...(ctx.fhirUser ? { author: { reference: ctx.fhirUser } } : {}),
    item: questions
      .filter((question) => answers[question.linkId])
      .map((question) => {
        const coding = question.options.find((o) => o.code === answers[question.linkId])!;
        return { linkId: question.linkId, text: question.text, answer: [{ valueCoding: coding }] };
      }),
  };
}

export interface ScoreView {
  total: number | undefined;
  /** "Moderate depression". */
  band: string | undefined;
  /** The band's code (minimal … severe): the badge's tone. */
  bandCode: string | undefined;
  /** Flagged answers, in words ("Positive answer to item 9 …"). */
  flags: string[];
  when: string | undefined;
}

export function scoreView(o: Observation): ScoreView {
  const band = o.interpretation?.[0];
  return {
    total: o.valueQuantity?.value,
    band: band?.text ?? band?.coding?.[0]?.display,
    bandCode: band?.coding?.[0]?.code,
    flags: (o.component ?? []).flatMap((c) => c.interpretation?.map((i) => i.text ?? '') ?? []).filter(Boolean),
    when: o.effectiveDateTime ?? o.issued,
  };
}

/** The badge tone of a band: severe ones stand out, and never by colour alone (the band is in words). */
export function bandTone(code: string | undefined): 'success' | 'info' | 'warning' | 'danger' | 'neutral' {
  switch (code) {
    case 'minimal':
      return 'success';
    case 'mild':
      return 'info';
    case 'moderate':
      return 'warning';
    case 'moderately-severe':
    case 'severe':
      return 'danger';
    default:
      return 'neutral';
  }
}

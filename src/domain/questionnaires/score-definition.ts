/**
 * What makes a Questionnaire scored, read from the Questionnaire itself, so any practice can add
 * one (docs/questionnaires.md) without code:
 *
 * - each scored question's answer options carry a weight: the R4 `ordinalValue` extension on the
 *   option's coding (or R5's `itemWeight`, on the option or its coding);
 * - one read-only integer item is the total: its `code` (LOINC, e.g. 44261-6) is the code of the
 *   score Observation, it has SDC's `calculatedExpression` (the sum of the answers' weights) and
 *   `observationExtract`, and Heron's `score-band` extensions give the published bands;
 * - a question may carry Heron's `score-flag`: an answer weighing more than `above` is flagged
 *   (PHQ-9 item 9, thoughts of self-harm).
 */
import type { Coding, Extension, Questionnaire, QuestionnaireItem, QuestionnaireItemAnswerOption } from '@medplum/fhirtypes';

export const ORDINAL_VALUE = 'http://hl7.org/fhir/StructureDefinition/ordinalValue';
export const ITEM_WEIGHT = 'http://hl7.org/fhir/StructureDefinition/itemWeight';
export const CALCULATED_EXPRESSION = 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression';
export const OBSERVATION_EXTRACT = 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observationExtract';
export const SCORE_BAND = 'https://heron.dev/fhir/StructureDefinition/score-band';
export const SCORE_FLAG = 'https://heron.dev/fhir/StructureDefinition/score-flag';
/** The bands' codes (minimal, mild, moderate, moderately-severe, severe). */
export const SCORE_BAND_SYSTEM = 'https://heron.dev/fhir/CodeSystem/score-band';

export interface ScoredOption {
  coding: Coding;
  weight: number;
}

export interface ScoredQuestion {
  linkId: string;
  text: string;
  code?: Coding | undefined;
  required: boolean;
  options: ScoredOption[];
  /** An answer weighing more than `above` is flagged with `text`. */
  flag?: { above: number; text: string } | undefined;
}

export interface ScoreBand {
  low: number;
  /** Inclusive; absent for the top band. */
  high?: number | undefined;
  interpretation: Coding;
}

export interface ScoreDefinition {
  /** The Questionnaire's canonical URL. */
  url: string;
  title: string;
  /** The total item: its linkId, and the code the score Observation carries. */
  totalLinkId: string;
  totalCode: Coding;
  questions: ScoredQuestion[];
  bands: ScoreBand[];
  /** The largest possible total. */
  max: number;
}

/** Every item, groups flattened, in order. */
export function allItems(items: readonly QuestionnaireItem[] | undefined): QuestionnaireItem[] {
  return (items ?? []).flatMap((item) => [item, ...allItems(item.item)]);
}

function extension(list: readonly Extension[] | undefined, url: string): Extension | undefined {
  return list?.find((e) => e.url === url);
}

function subValue(ext: Extension, url: string): Extension | undefined {
  return ext.extension?.find((e) => e.url === url);
}

function weightOf(option: QuestionnaireItemAnswerOption): number | undefined {
  for (const list of [option.valueCoding?.extension, option.extension]) {
    for (const url of [ORDINAL_VALUE, ITEM_WEIGHT]) {
      const value = extension(list, url)?.valueDecimal ?? extension(list, url)?.valueInteger;
      if (typeof value === 'number') return value;
    }
  }
  return undefined;
}

function question(item: QuestionnaireItem): ScoredQuestion | undefined {
  const options = item.answerOption ?? [];
  if (options.length === 0 || item.readOnly) return undefined;
  const scored: ScoredOption[] = [];
  for (const option of options) {
    const weight = weightOf(option);
    if (weight === undefined || !option.valueCoding) return undefined;
    scored.push({ coding: option.valueCoding, weight });
  }
  const flagExt = extension(item.extension, SCORE_FLAG);
  const above = flagExt && subValue(flagExt, 'above');
  const flagText = flagExt && subValue(flagExt, 'text')?.valueString;
  const aboveValue = above?.valueDecimal ?? above?.valueInteger;
  return {
    linkId: item.linkId,
    text: item.text ?? item.linkId,
    code: item.code?.[0],
    required: item.required === true,
    options: scored,
    ...(typeof aboveValue === 'number' && flagText ? { flag: { above: aboveValue, text: flagText } } : {}),
  };
}

function band(ext: Extension): ScoreBand | undefined {
  const low = subValue(ext, 'low')?.valueInteger ?? subValue(ext, 'low')?.valueDecimal;
  const high = subValue(ext, 'high')?.valueInteger ?? subValue(ext, 'high')?.valueDecimal;
  const interpretation = subValue(ext, 'interpretation')?.valueCoding;
  if (typeof low !== 'number' || !interpretation) return undefined;
  return { low, ...(typeof high === 'number' ? { high } : {}), interpretation };
}

/** The scoring a Questionnaire defines, or undefined when it is not a scored one. */
export function scoreDefinition(questionnaire: Questionnaire): ScoreDefinition | undefined {
  const items = allItems(questionnaire.item);
  const total = items.find((i) => i.readOnly && (i.type === 'integer' || i.type === 'decimal') && extension(i.extension, CALCULATED_EXPRESSION) !== undefined && i.code?.[0]?.code);
  if (!total || !questionnaire.url) return undefined;
  const questions = items.filter((i) => i !== total).map(question).filter((q): q is ScoredQuestion => q !== undefined);
  if (questions.length === 0) return undefined;
  const bands = (total.extension ?? [])
    .filter((e) => e.url === SCORE_BAND)
    .map(band)
    .filter((b): b is ScoreBand => b !== undefined)
    .sort((a, b) => a.low - b.low);
  return {
    url: questionnaire.url,
    title: questionnaire.title ?? questionnaire.name ?? questionnaire.url,
    totalLinkId: total.linkId,
    totalCode: total.code![0]!,
    questions,
    bands,
    max: questions.reduce((sum, q) => sum + Math.max(...q.options.map((o) => o.weight)), 0),
  };
}

import type { Questionnaire, QuestionnaireResponse } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { ITEM_WEIGHT, scoreDefinition, type ScoreDefinition } from './score-definition.ts';
import { scoreMismatches, scoreObservation } from './score-observation.ts';
import { scoreResponse } from './scoring.ts';
import { GAD7, PHQ9 } from './screening-questionnaires.ts';

const phq9 = scoreDefinition(PHQ9)!;
const gad7 = scoreDefinition(GAD7)!;
const ANSWERS = ['LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6571-9'];

/** A completed response whose answers weigh `weights` (question i gets weights[i]). */
function response(definition: ScoreDefinition, weights: readonly number[]): QuestionnaireResponse {
  return {
    resourceType: 'QuestionnaireResponse',
    status: 'completed',
    questionnaire: definition.url,
    subject: { reference: 'Patient/p1' },
    authored: '2026-12-05T10:00:00Z',
    item: definition.questions.flatMap((q, i) => (weights[i] === undefined ? [] : [{ linkId: q.linkId, answer: [{ valueCoding: { system: 'http://loinc.org', code: ANSWERS[weights[i]!]! } }] }])),
  };
}

/** Weights spread over the questions to reach `total`, leaving the flagged item 9 at 0. */
function weightsFor(count: number, total: number, avoidLast = true): number[] {
  const weights = Array<number>(count).fill(0);
  let left = total;
  const usable = avoidLast ? count - 1 : count;
  for (let round = 0; left > 0; round++) {
    const i = round % usable;
    if (weights[i]! < 3) {
      weights[i]!++;
      left--;
    }
  }
  return weights;
}

describe('scoreDefinition', () => {
  it('reads the PHQ-9: 9 weighted questions, the total code, five bands, a maximum of 27, item 9 flagged', () => {
    expect(phq9.questions.map((q) => q.linkId)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(phq9.totalCode).toMatchObject({ system: 'http://loinc.org', code: '44261-6' });
    expect(phq9.bands.map((b) => [b.low, b.high, b.interpretation.code])).toEqual([
      [0, 4, 'minimal'],
      [5, 9, 'mild'],
      [10, 14, 'moderate'],
      [15, 19, 'moderately-severe'],
      [20, 27, 'severe'],
    ]);
    expect(phq9.max).toBe(27);
    expect(phq9.questions.filter((q) => q.flag).map((q) => q.code?.code)).toEqual(['44260-8']);
  });

  it('reads the GAD-7: 7 questions, total 70274-6, four bands up to 21', () => {
    expect(gad7.questions).toHaveLength(7);
    expect(gad7.totalCode.code).toBe('70274-6');
    expect(gad7.max).toBe(21);
    expect(gad7.bands.map((b) => b.interpretation.code)).toEqual(['minimal', 'mild', 'moderate', 'severe']);
  });

  it('takes R5 itemWeight as well as ordinalValue, and is undefined for an unscored Questionnaire', () => {
    const weighted: Questionnaire = JSON.parse(JSON.stringify(GAD7).replaceAll('http://hl7.org/fhir/StructureDefinition/ordinalValue', ITEM_WEIGHT));
    expect(scoreDefinition(weighted)?.max).toBe(21);
    expect(scoreDefinition({ resourceType: 'Questionnaire', status: 'active', url: 'x', item: [{ linkId: 'a', type: 'string', text: 'Name' }] })).toBeUndefined();
    const noTotal: Questionnaire = { ...PHQ9, item: PHQ9.item!.filter((i) => i.linkId !== 'total') };
    expect(scoreDefinition(noTotal)).toBeUndefined();
  });
});

describe('PHQ-9 scoring: every band boundary', () => {
  const cases: Array<[number, string]> = [
    [0, 'minimal'],
    [4, 'minimal'],
    [5, 'mild'],
    [9, 'mild'],
    [10, 'moderate'],
    [14, 'moderate'],
    [15, 'moderately-severe'],
    [19, 'moderately-severe'],
    [20, 'severe'],
    [24, 'severe'],
  ];
  for (const [total, band] of cases) {
    it(`${total} is ${band}`, () => {
      const result = scoreResponse(phq9, response(phq9, weightsFor(9, total)));
      expect(result.kind).toBe('scored');
      if (result.kind !== 'scored') return;
      expect(result.total).toBe(total);
      expect(result.band?.interpretation.code).toBe(band);
      expect(result.flags).toEqual([]);
    });
  }

  it('27 (every answer "Nearly every day") is severe, and item 9 is flagged', () => {
    const result = scoreResponse(phq9, response(phq9, Array(9).fill(3)));
    expect(result).toMatchObject({ kind: 'scored', total: 27, band: { interpretation: { code: 'severe' } } });
    if (result.kind === 'scored') expect(result.flags.map((f) => f.question.linkId)).toEqual(['9']);
  });
});

describe('PHQ-9 item 9', () => {
  it('any answer above "Not at all" is flagged, even with a minimal total', () => {
    for (const weight of [1, 2, 3]) {
      const weights = [0, 0, 0, 0, 0, 0, 0, 0, weight];
      const result = scoreResponse(phq9, response(phq9, weights));
      expect(result.kind).toBe('scored');
      if (result.kind !== 'scored') continue;
      expect(result.total).toBe(weight);
      expect(result.band?.interpretation.code).toBe('minimal');
      expect(result.flags).toHaveLength(1);
      expect(result.flags[0]!.text).toMatch(/suicide risk/);
      expect(result.flags[0]!.answer.code).toBe(ANSWERS[weight]);
    }
  });

  it('"Not at all" is not flagged', () => {
    const result = scoreResponse(phq9, response(phq9, [3, 3, 3, 3, 3, 3, 3, 3, 0]));
    expect(result).toMatchObject({ kind: 'scored', total: 24, flags: [] });
  });
});

describe('GAD-7 scoring: every band boundary', () => {
  const cases: Array<[number, string]> = [
    [0, 'minimal'],
    [4, 'minimal'],
    [5, 'mild'],
    [9, 'mild'],
    [10, 'moderate'],
    [14, 'moderate'],
    [15, 'severe'],
    [21, 'severe'],
  ];
  for (const [total, band] of cases) {
    it(`${total} is ${band}`, () => {
      const result = scoreResponse(gad7, response(gad7, weightsFor(7, total, false)));
      expect(result).toMatchObject({ kind: 'scored', total, band: { interpretation: { code: band } }, flags: [] });
    });
  }
});

describe('incomplete and invalid answers', () => {
  it('a response missing answers has no score and names the missing questions', () => {
    const result = scoreResponse(phq9, response(phq9, [1, 1, 1, 1, 1, 1, 1]));
    expect(result.kind).toBe('incomplete');
    if (result.kind === 'incomplete') expect(result.missing.map((q) => q.linkId)).toEqual(['8', '9']);
    expect(scoreResponse(gad7, { resourceType: 'QuestionnaireResponse', status: 'completed' }).kind).toBe('incomplete');
  });

  it('a question answered with an empty answer list counts as missing', () => {
    const r = response(gad7, [1, 1, 1, 1, 1, 1, 1]);
    r.item![6] = { linkId: '7', answer: [] };
    expect(scoreResponse(gad7, r)).toMatchObject({ kind: 'incomplete' });
  });

  it('an answer that is not an option, or two answers to one question, is invalid', () => {
    const wrong = response(gad7, [1, 1, 1, 1, 1, 1, 1]);
    wrong.item![0]!.answer = [{ valueCoding: { system: 'http://loinc.org', code: 'LA9999-9' } }];
    expect(scoreResponse(gad7, wrong)).toMatchObject({ kind: 'invalid' });
    const wrongSystem = response(gad7, [1, 1, 1, 1, 1, 1, 1]);
    wrongSystem.item![0]!.answer = [{ valueCoding: { system: 'http://example.org', code: 'LA6569-3' } }];
    expect(scoreResponse(gad7, wrongSystem)).toMatchObject({ kind: 'invalid' });
    const twice = response(gad7, [1, 1, 1, 1, 1, 1, 1]);
    twice.item![0]!.answer = [{ valueCoding: { system: 'http://loinc.org', code: 'LA6569-3' } }, { valueCoding: { system: 'http://loinc.org', code: 'LA6570-1' } }];
    expect(scoreResponse(gad7, twice)).toMatchObject({ kind: 'invalid' });
  });

  it('answers nested in a group are found', () => {
    const flat = response(gad7, [2, 2, 2, 2, 2, 2, 2]);
    const nested: QuestionnaireResponse = { ...flat, item: [{ linkId: 'group', item: flat.item }] };
    expect(scoreResponse(gad7, nested)).toMatchObject({ kind: 'scored', total: 14 });
  });
});

describe('the score Observation and its check', () => {
  const answers = response(phq9, [2, 2, 2, 2, 1, 1, 1, 0, 1]);
  const result = scoreResponse(phq9, answers);
  if (result.kind !== 'scored') throw new Error('expected a score');
  const observation = scoreObservation(phq9, answers, { reference: 'QuestionnaireResponse/r1' }, result);

  it('is LOINC-coded, survey, a {score} quantity, the band as interpretation, item 9 as a component, derived from the response', () => {
    expect(observation).toMatchObject({
      status: 'final',
      category: [{ coding: [{ code: 'survey' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '44261-6' }] },
      subject: { reference: 'Patient/p1' },
      effectiveDateTime: '2026-12-05T10:00:00Z',
      valueQuantity: { value: 12, code: '{score}' },
      interpretation: [{ coding: [{ code: 'moderate' }], text: 'Moderate depression' }],
      derivedFrom: [{ reference: 'QuestionnaireResponse/r1' }],
    });
    expect(observation.component?.map((c) => c.code.coding?.[0]?.code)).toEqual(['44260-8']);
    expect(scoreMismatches(phq9, answers, result, observation)).toEqual([]);
  });

  it('names every difference: total, band, patient, flags', () => {
    expect(scoreMismatches(phq9, answers, result, { ...observation, valueQuantity: { value: 3 } }).join(' ')).toMatch(/total of 12 \(Moderate depression\), not 3/);
    expect(scoreMismatches(phq9, answers, result, { ...observation, interpretation: [{ coding: [{ system: 'https://heron.dev/fhir/CodeSystem/score-band', code: 'mild' }] }] }).join(' ')).toMatch(/band of 12 is Moderate depression/);
    expect(scoreMismatches(phq9, answers, result, { ...observation, subject: { reference: 'Patient/other' } }).join(' ')).toMatch(/not about the patient/);
    const { component: _dropped, ...withoutFlag } = observation;
    expect(scoreMismatches(phq9, answers, result, withoutFlag).join(' ')).toMatch(/flagged answer .* is missing/);
  });

  it('an incomplete response has no score to match', () => {
    const partial = response(phq9, [1, 1]);
    expect(scoreMismatches(phq9, partial, scoreResponse(phq9, partial), observation).join(' ')).toMatch(/incomplete/);
  });
});

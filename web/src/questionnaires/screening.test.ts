import type { Observation, Questionnaire } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { bandTone, isScreening, lowestBand, questionsOf, responseFrom, scoreCodeOf, scoreView, unanswered } from './screening.ts';

const options = [
  { valueCoding: { system: 'http://loinc.org', code: 'LA6568-5', display: 'Not at all' } },
  { valueCoding: { system: 'http://loinc.org', code: 'LA6569-3', display: 'Several days' } },
];
const gad2: Questionnaire = {
  resourceType: 'Questionnaire',
  url: 'https://example.org/gad-2',
  status: 'active',
  title: 'GAD-2',
  item: [
    { linkId: 'g', type: 'group', item: [{ linkId: '1', type: 'choice', text: 'Nervous', answerOption: options }] },
    { linkId: '2', type: 'choice', text: 'Worrying', answerOption: options },
    { linkId: 'total', type: 'integer', readOnly: true, code: [{ system: 'http://loinc.org', code: '70273-8' }] },
  ],
};

describe('screening questionnaires in the app', () => {
  it('lists the questions (groups flattened, not the total), numbered, and finds the score code', () => {
    expect(questionsOf(gad2).map((q) => [q.number, q.linkId, q.options.length])).toEqual([
      [1, '1', 2],
      [2, '2', 2],
    ]);
    expect(scoreCodeOf(gad2)?.code).toBe('70273-8');
    expect(isScreening(gad2)).toBe(true);
    expect(isScreening({ ...gad2, status: 'retired' })).toBe(false);
    expect(isScreening({ ...gad2, item: gad2.item!.slice(0, 2) })).toBe(false);
  });

  it('finds the lowest band, for the reference range of the trend', () => {
    const band = (low: number, high: number) => ({ url: 'https://heron.dev/fhir/StructureDefinition/score-band', extension: [{ url: 'low', valueInteger: low }, { url: 'high', valueInteger: high }] });
    const banded: Questionnaire = { ...gad2, item: [...gad2.item!.slice(0, 2), { ...gad2.item![2]!, extension: [band(3, 6), band(0, 2)] }] };
    expect(lowestBand(banded)).toEqual({ low: 0, high: 2 });
    expect(lowestBand(gad2)).toBeUndefined();
  });

  it('makes a completed response of the answers given, for the chart it was opened in', () => {
    const questions = questionsOf(gad2);
    expect(unanswered(questions, { '1': 'LA6569-3' }).map((q) => q.linkId)).toEqual(['2']);
    const r = responseFrom(gad2, { '1': 'LA6569-3', '2': 'LA6568-5' }, { patientId: 'p1', fhirUser: 'Practitioner/dr', now: new Date('2026-12-05T10:00:00Z') });
    expect(r).toMatchObject({ status: 'completed', questionnaire: 'https://example.org/gad-2', subject: { reference: 'Patient/p1' }, author: { reference: 'Practitioner/dr' }, authored: '2026-12-05T10:00:00.000Z' });
    expect(r.item?.map((i) => [i.linkId, i.answer?.[0]?.valueCoding?.display])).toEqual([
      ['1', 'Several days'],
      ['2', 'Not at all'],
    ]);
  });

  it('reads a stored score: total, band, flags; bands have tones', () => {
    const o: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: {},
      valueQuantity: { value: 12 },
      effectiveDateTime: '2026-12-05',
      interpretation: [{ coding: [{ code: 'moderate', display: 'Moderate depression' }], text: 'Moderate depression' }],
      component: [{ code: { text: 'Item 9' }, interpretation: [{ text: 'Assess suicide risk today.' }] }],
    };
    expect(scoreView(o)).toEqual({ total: 12, band: 'Moderate depression', bandCode: 'moderate', flags: ['Assess suicide risk today.'], when: '2026-12-05' });
    expect(bandTone('minimal')).toBe('success');
    expect(bandTone('severe')).toBe('danger');
    expect(bandTone(undefined)).toBe('neutral');
  });
});

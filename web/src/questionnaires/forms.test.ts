import type { Questionnaire, Task } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { answersOf, formCanonical, formOutput, formQuestionsOf, formResponse, formResponseId, formTask, isOpenForm, isPatientEntered, missingAnswers } from './forms.ts';

const yesNo = [
  { valueCoding: { system: 'http://loinc.org', code: 'LA33-6', display: 'Yes' } },
  { valueCoding: { system: 'http://loinc.org', code: 'LA32-8', display: 'No' } },
];
const intake: Questionnaire = {
  resourceType: 'Questionnaire',
  url: 'https://example.org/intake',
  version: '2',
  status: 'active',
  title: 'Before your visit',
  item: [
    { linkId: 'reason', type: 'text', text: 'Why?', required: true },
    { linkId: 'g', type: 'group', item: [{ linkId: 'meds-changed', type: 'choice', text: 'Medicines changed?', required: true, answerOption: yesNo }] },
    { linkId: 'other', type: 'string', text: 'Anything else?' },
    { linkId: 'note', type: 'display', text: 'Thank you' },
    { linkId: 'total', type: 'integer', readOnly: true },
  ],
};

describe('forms sent to the patient', () => {
  it('shows choice and free-text questions in order, numbered, groups flattened, not displays or a total', () => {
    expect(formQuestionsOf(intake).map((q) => [q.number, q.linkId, q.kind, q.required])).toEqual([
      [1, 'reason', 'text', true],
      [2, 'meds-changed', 'choice', true],
      [3, 'other', 'string', false],
    ]);
  });

  it('says which required questions are unanswered; blank words are not an answer', () => {
    const questions = formQuestionsOf(intake);
    expect(missingAnswers(questions, { reason: '  ' }).map((q) => q.linkId)).toEqual(['reason', 'meds-changed']);
    expect(missingAnswers(questions, { reason: 'Knee', 'meds-changed': 'LA32-8' })).toEqual([]);
  });

  it('makes the response (coding for a choice, words for text), and reads it back', () => {
    const answers = { reason: 'Knee pain', 'meds-changed': 'LA33-6', other: ' ' };
    const r = formResponse(intake, answers, { patientId: 'p1', author: 'RelatedPerson/r1', status: 'in-progress', now: new Date('2026-12-06T08:00:00Z'), id: 'qr1' });
    expect(r).toMatchObject({ id: 'qr1', status: 'in-progress', questionnaire: 'https://example.org/intake', subject: { reference: 'Patient/p1' }, author: { reference: 'RelatedPerson/r1' } });
    expect(r.item).toEqual([
      { linkId: 'reason', text: 'Why?', answer: [{ valueString: 'Knee pain' }] },
      { linkId: 'meds-changed', text: 'Medicines changed?', answer: [{ valueCoding: yesNo[0]!.valueCoding }] },
    ]);
    expect(answersOf(r)).toEqual({ reason: 'Knee pain', 'meds-changed': 'LA33-6' });
  });

  it('sends a form as an SDC Task for and owned by the patient, and reads its questionnaire and answers', () => {
    const task = formTask({ questionnaire: intake, patientId: 'p1', requester: 'Practitioner/d1', due: '2026-12-10', now: new Date('2026-12-06T08:00:00Z') });
    expect(task).toMatchObject({ status: 'requested', for: { reference: 'Patient/p1' }, owner: { reference: 'Patient/p1' }, requester: { reference: 'Practitioner/d1' }, restriction: { period: { end: '2026-12-10' } } });
    expect(task.code?.coding?.[0]).toMatchObject({ system: 'http://hl7.org/fhir/uv/sdc/CodeSystem/temp', code: 'complete-questionnaire' });
    expect(formCanonical(task)).toBe('https://example.org/intake|2');
    expect(isOpenForm(task)).toBe(true);
    const filled: Task = { ...task, status: 'completed', output: formOutput('QuestionnaireResponse/qr1') };
    expect(formResponseId(filled)).toBe('qr1');
    expect(isOpenForm(filled)).toBe(false);
  });

  it('tells answers entered by the patient or a proxy from staff', () => {
    expect(isPatientEntered({ reference: 'Patient/p1' })).toBe(true);
    expect(isPatientEntered({ reference: 'RelatedPerson/r1' })).toBe(true);
    expect(isPatientEntered({ reference: 'Practitioner/d1' })).toBe(false);
    expect(isPatientEntered(undefined)).toBe(false);
  });
});

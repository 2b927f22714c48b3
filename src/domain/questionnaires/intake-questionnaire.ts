/**
 * The pre-visit intake form every practice starts with: what brings the patient in, their
 * medicines now, new allergies or reactions, anything else. Short on purpose — it is filled on a
 * phone before the visit, and the clinician reconciles medicines and allergies in the chart from
 * it; it is not scored. Yes/no answers use LOINC's answer codes (LA33-6 Yes, LA32-8 No).
 */
import type { Questionnaire, QuestionnaireItem } from '@medplum/fhirtypes';

const LOINC = 'http://loinc.org';
export const INTAKE_URL = 'https://heron.dev/fhir/Questionnaire/intake';

const YES_NO = [
  { valueCoding: { system: LOINC, code: 'LA33-6', display: 'Yes' } },
  { valueCoding: { system: LOINC, code: 'LA32-8', display: 'No' } },
];

function text(linkId: string, question: string, required: boolean): QuestionnaireItem {
  return { linkId, text: question, type: 'text', required };
}

function yesNo(linkId: string, question: string): QuestionnaireItem {
  return { linkId, text: question, type: 'choice', required: true, answerOption: YES_NO };
}

export const INTAKE: Questionnaire = {
  resourceType: 'Questionnaire',
  url: INTAKE_URL,
  version: '1',
  name: 'Intake',
  title: 'Before your visit',
  status: 'active',
  subjectType: ['Patient'],
  description: 'A few questions before your visit, so your care team can prepare. It takes about 3 minutes.',
  item: [
    text('reason', 'What is the main reason for your visit?', true),
    yesNo('medicines-changed', 'Have your medicines changed since your last visit?'),
    text('medicines', 'Which medicines do you take now? Include ones bought without a prescription, vitamins and supplements, and how often you take them.', false),
    yesNo('allergies-changed', 'Have you had a new allergy, or a reaction to a medicine, since your last visit?'),
    text('allergies', 'If yes: to what, and what happened?', false),
    text('other', 'Is there anything else you would like your care team to know before the visit?', false),
  ],
};

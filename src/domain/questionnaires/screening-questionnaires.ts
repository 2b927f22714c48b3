/**
 * The screening questionnaires every practice starts with, as FHIR Questionnaires with LOINC
 * codes (panel, items, total) and LOINC answer codes weighted with `ordinalValue`, the published
 * severity bands on the total item (`score-definition.ts` reads them):
 *
 * - PHQ-9 (Kroenke, Spitzer & Williams 2001): 0–4 minimal, 5–9 mild, 10–14 moderate, 15–19
 *   moderately severe, 20–27 severe; any answer above "Not at all" to item 9 (thoughts of being
 *   better off dead or of self-harm) is flagged for suicide-risk follow-up whatever the total.
 * - GAD-7 (Spitzer et al. 2006): 0–4 minimal, 5–9 mild, 10–14 moderate, 15–21 severe.
 *
 * Both instruments are free to use (Pfizer: "No permission required to reproduce, translate,
 * display or distribute").
 */
import type { Coding, Extension, Questionnaire, QuestionnaireItem } from '@medplum/fhirtypes';
import { CALCULATED_EXPRESSION, OBSERVATION_EXTRACT, ORDINAL_VALUE, SCORE_BAND, SCORE_BAND_SYSTEM, SCORE_FLAG } from './score-definition.ts';

const LOINC = 'http://loinc.org';
export const PHQ9_URL = 'https://heron.dev/fhir/Questionnaire/phq-9';
export const GAD7_URL = 'https://heron.dev/fhir/Questionnaire/gad-7';

/** LOINC answer list LL358-3, with the weights the instruments give. */
const FREQUENCY_ANSWERS: Array<[code: string, display: string, weight: number]> = [
  ['LA6568-5', 'Not at all', 0],
  ['LA6569-3', 'Several days', 1],
  ['LA6570-1', 'More than half the days', 2],
  ['LA6571-9', 'Nearly every day', 3],
];

function answerOptions() {
  return FREQUENCY_ANSWERS.map(([code, display, weight]) => ({ valueCoding: { system: LOINC, code, display, extension: [{ url: ORDINAL_VALUE, valueDecimal: weight }] } }));
}

function question(linkId: string, code: string, text: string, extension?: Extension[]): QuestionnaireItem {
  return { linkId, code: [{ system: LOINC, code, display: text }], text, type: 'choice', required: true, answerOption: answerOptions(), ...(extension ? { extension } : {}) };
}

function band(low: number, high: number | undefined, code: string, display: string): Extension {
  const interpretation: Coding = { system: SCORE_BAND_SYSTEM, code, display };
  return {
    url: SCORE_BAND,
    extension: [{ url: 'low', valueInteger: low }, ...(high === undefined ? [] : [{ url: 'high', valueInteger: high }]), { url: 'interpretation', valueCoding: interpretation }],
  };
}

function totalItem(code: string, display: string, bands: Extension[]): QuestionnaireItem {
  return {
    linkId: 'total',
    code: [{ system: LOINC, code, display }],
    text: 'Total score',
    type: 'integer',
    readOnly: true,
    extension: [
      { url: CALCULATED_EXPRESSION, valueExpression: { language: 'text/fhirpath', expression: "%resource.item.where(linkId != 'total').answer.value.extension('http://hl7.org/fhir/StructureDefinition/ordinalValue').value.sum()" } },
      { url: OBSERVATION_EXTRACT, valueBoolean: true },
      ...bands,
    ],
  };
}

export const PHQ9: Questionnaire = {
  resourceType: 'Questionnaire',
  url: PHQ9_URL,
  version: '1',
  name: 'PHQ9',
  title: 'PHQ-9',
  status: 'active',
  subjectType: ['Patient'],
  description: 'Patient Health Questionnaire (PHQ-9): depression screening. Over the last 2 weeks, how often have you been bothered by any of the following problems?',
  code: [{ system: LOINC, code: '44249-1', display: 'PHQ-9 quick depression assessment panel [Reported.PHQ]' }],
  copyright: 'Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc. No permission required to reproduce, translate, display or distribute.',
  item: [
    question('1', '44250-9', 'Little interest or pleasure in doing things'),
    question('2', '44255-8', 'Feeling down, depressed, or hopeless'),
    question('3', '44259-0', 'Trouble falling or staying asleep, or sleeping too much'),
    question('4', '44254-1', 'Feeling tired or having little energy'),
    question('5', '44251-7', 'Poor appetite or overeating'),
    question('6', '44258-2', 'Feeling bad about yourself - or that you are a failure or have let yourself or your family down'),
    question('7', '44252-5', 'Trouble concentrating on things, such as reading the newspaper or watching television'),
    question('8', '44253-3', 'Moving or speaking so slowly that other people could have noticed. Or the opposite - being so fidgety or restless that you have been moving around a lot more than usual'),
    question('9', '44260-8', 'Thoughts that you would be better off dead, or of hurting yourself in some way', [
      { url: SCORE_FLAG, extension: [{ url: 'above', valueDecimal: 0 }, { url: 'text', valueString: 'Positive answer to item 9 (thoughts of death or self-harm): assess suicide risk today.' }] },
    ]),
    totalItem('44261-6', 'Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]', [
      band(0, 4, 'minimal', 'Minimal depression'),
      band(5, 9, 'mild', 'Mild depression'),
      band(10, 14, 'moderate', 'Moderate depression'),
      band(15, 19, 'moderately-severe', 'Moderately severe depression'),
      band(20, 27, 'severe', 'Severe depression'),
    ]),
  ],
};

export const GAD7: Questionnaire = {
  resourceType: 'Questionnaire',
  url: GAD7_URL,
  version: '1',
  name: 'GAD7',
  title: 'GAD-7',
  status: 'active',
  subjectType: ['Patient'],
  description: 'Generalized Anxiety Disorder 7-item (GAD-7) scale: anxiety screening. Over the last 2 weeks, how often have you been bothered by the following problems?',
  code: [{ system: LOINC, code: '69737-5', display: 'Generalized anxiety disorder 7 item (GAD-7)' }],
  copyright: 'Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc. No permission required to reproduce, translate, display or distribute.',
  item: [
    question('1', '69725-0', 'Feeling nervous, anxious or on edge'),
    question('2', '68509-9', 'Not being able to stop or control worrying'),
    question('3', '69733-4', 'Worrying too much about different things'),
    question('4', '69734-2', 'Trouble relaxing'),
    question('5', '69735-9', 'Being so restless that it is hard to sit still'),
    question('6', '69689-8', 'Becoming easily annoyed or irritable'),
    question('7', '69736-7', 'Feeling afraid as if something awful might happen'),
    totalItem('70274-6', 'Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]', [
      band(0, 4, 'minimal', 'Minimal anxiety'),
      band(5, 9, 'mild', 'Mild anxiety'),
      band(10, 14, 'moderate', 'Moderate anxiety'),
      band(15, 21, 'severe', 'Severe anxiety'),
    ]),
  ],
};

export const SCREENING_QUESTIONNAIRES: readonly Questionnaire[] = [PHQ9, GAD7];

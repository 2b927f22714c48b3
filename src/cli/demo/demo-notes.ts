/**
 * Signed visit notes for the demo's complex patient (docs/notes.md): US Core clinical-note
 * DocumentReferences, final, with the physician's signature, as notes signed before arrive in an
 * import. Loaded through the FHIR API as system data, so they are locked like any signed note.
 */
import type { DocumentReference, Practitioner, Reference } from '@medplum/fhirtypes';
import type { Context } from './observations.ts';

const ATTESTER_URL = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-DocumentReference.attester';

/** A signed follow-up note for one visit, signed half an hour after it started. */
export function signedVisitNote(id: string, c: Context, author: Reference<Practitioner>, reason: string, vitals: { systolic: number; diastolic: number; heartRate: number; weight: number }): DocumentReference {
  const signedAt = new Date(Date.parse(c.at) + 30 * 60_000).toISOString();
  const text = [
    '## Subjective',
    '',
    `Follow-up: ${reason.toLowerCase()}. Feels well; no chest pain, breathlessness on two flights of stairs as before. Taking medications as prescribed.`,
    '',
    '## Objective',
    '',
    `[Inserted from chart: Vitals, as of ${c.at.slice(0, 10)} ${c.at.slice(11, 16)}]`,
    `BP ${vitals.systolic}/${vitals.diastolic} mmHg · Heart rate ${vitals.heartRate}/min · Weight ${vitals.weight} kg`,
    'Exam: no ankle oedema, chest clear.',
    '',
    '## Assessment',
    '',
    'Hypertension and heart failure stable on current treatment; diabetes improving.',
    '',
    '## Plan',
    '',
    'Continue medications. Labs before the next visit. Follow up in 4 weeks.',
    '',
  ].join('\n');
  return {
    resourceType: 'DocumentReference',
    id,
    status: 'current',
    docStatus: 'final',
    type: { coding: [{ system: 'http://loinc.org', code: '11506-3', display: 'Progress note' }], text: 'Progress note' },
    category: [{ coding: [{ system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category', code: 'clinical-note', display: 'Clinical Note' }] }],
    subject: c.patient,
    date: c.at,
    author: [author],
    authenticator: author,
    description: 'Follow-up visit (SOAP)',
    content: [{ attachment: { contentType: 'text/markdown', data: Buffer.from(text).toString('base64'), title: 'Follow-up visit (SOAP)', creation: c.at } }],
    context: { encounter: [c.encounter] },
    extension: [
      {
        url: ATTESTER_URL,
        extension: [
          { url: 'mode', valueCodeableConcept: { coding: [{ system: 'http://hl7.org/fhir/composition-attestation-mode', code: 'legal' }] } },
          { url: 'time', valueDateTime: signedAt },
          { url: 'party', valueReference: author },
        ],
      },
    ],
  };
}

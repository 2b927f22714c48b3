import type { DocumentReference, MedicationRequest, Observation, ServiceRequest } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { visitSummary, withoutInserted } from './visit-summary.ts';

const markdown = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const note: DocumentReference = {
  resourceType: 'DocumentReference',
  status: 'current',
  content: [
    {
      attachment: {
        contentType: 'text/markdown',
        data: markdown('## Subjective\nTired.\n\n## Objective\n[Inserted from chart: Vitals, as of 5 Dec 2026 09:00]\nBP 132/84 mmHg\n\n## Assessment\nBlood pressure near goal.\n\n## Plan\n[Inserted from chart: Medications, as of 5 Dec 2026 09:00]\namlodipine 5 mg\n\nKeep taking amlodipine.\nWalk 30 minutes a day.'),
      },
    },
  ],
};
const vital = (code: string, value: number, unit: string, extra: Partial<Observation> = {}): Observation => ({
  resourceType: 'Observation',
  id: code,
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code }] },
  effectiveDateTime: '2026-12-05T09:00:00Z',
  valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
  ...extra,
});

describe('after-visit summary', () => {
  it('says what was measured, discussed, prescribed and ordered, and when to come back, in plain words', () => {
    const bp: Observation = {
      resourceType: 'Observation',
      id: 'bp',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
      effectiveDateTime: '2026-12-05T09:00:00Z',
      component: [
        { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 132, unit: 'mmHg', code: 'mm[Hg]' } },
        { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 84, unit: 'mmHg', code: 'mm[Hg]' } },
      ],
    };
    const acetaminophen: MedicationRequest = {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: 'Patient/p1' },
      medicationCodeableConcept: { text: 'acetaminophen 325 MG Oral Tablet' },
      dosageInstruction: [{ text: 'Take 2 tablets by mouth every 6 hours as needed for pain.' }],
    };
    const cbc: ServiceRequest = { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/p1' }, code: { text: 'Complete blood count (CBC)' } };
    const s = visitSummary({
      practice: 'Demo Practice',
      patient: { resourceType: 'Patient', name: [{ family: 'Visitwell', given: ['Nora'] }], identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, value: 'T-1' }] },
      clinician: 'Dr. Dana Whitfield',
      visitDate: '2026-12-05T09:10:00Z',
      note,
      vitals: [bp, vital('8867-4', 76, '/min'), vital('29463-7', 70, 'kg')],
      medicationOrders: [acetaminophen, { ...acetaminophen, status: 'stopped', medicationCodeableConcept: { text: 'old drug' } }],
      labOrders: [cbc],
      nextAppointment: { resourceType: 'Appointment', status: 'booked', participant: [], start: '2027-01-02T09:00:00Z', appointmentType: { text: 'Follow-up' } },
    });
    expect(s.title).toMatch(/^Your visit on Saturday 5 December 2026 with Dr\. Dana Whitfield$/);
    expect(s.patientName).toBe('Visitwell, Nora');
    expect(s.mrn).toBe('T-1');
    const section = (heading: string) => s.sections.find((x) => x.heading === heading)?.lines;
    expect(section('What we measured today')).toEqual(['Blood pressure: 132/84 mmHg', 'Heart rate: 76 /min', 'Weight: 70 kg']);
    expect(section('What we discussed and the plan')).toEqual(['Blood pressure near goal.', 'Keep taking amlodipine.', 'Walk 30 minutes a day.']);
    expect(section('Medicines from this visit')).toEqual([expect.stringMatching(/^acetaminophen 325 MG Oral Tablet: .*2 tablets/)]);
    expect(section('Tests we ordered')?.[0]).toBe('Complete blood count (CBC)');
    expect(section('Your next appointment')?.[0]).toMatch(/^Saturday 2 January 2027, \d\d:00 \(Follow-up\)$/);
    expect(s.closing).toMatch(/call Demo Practice\. In an emergency, call 911\./);
  });

  it('says when no follow-up is booked, and leaves out what the visit did not have', () => {
    const s = visitSummary({ practice: 'P', patient: { resourceType: 'Patient' }, clinician: 'C', visitDate: '2026-12-05T09:00:00Z', note: { resourceType: 'DocumentReference', status: 'current', content: [] }, vitals: [], medicationOrders: [], labOrders: [] });
    expect(s.sections).toEqual([{ heading: 'Your next appointment', lines: ['None booked yet. Please call us to book your follow-up.'] }]);
  });

  it('drops chart data inserted for colleagues, keeping what was written', () => {
    expect(withoutInserted('Plan A.\n[Inserted from chart: Vitals, as of x]\nBP 1/2\n\nPlan B.')).toBe('Plan A.\nPlan B.');
  });
});

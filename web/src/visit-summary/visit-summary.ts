/**
 * The after-visit summary: what a patient takes home, in plain words — what was measured, what
 * was discussed and the plan (the note's Assessment and Plan as the clinician wrote them, without
 * the chart data inserted for colleagues), the medicines and tests ordered at this visit, and the
 * next appointment. Built from the FHIR resources of the visit; `visit-summary-pdf.ts` prints it.
 */
import type { Appointment, DocumentReference, MedicationRequest, Observation, Patient, ServiceRequest } from '@medplum/fhirtypes';
import { format } from 'date-fns';
import { latestVitals } from '../chart/summary.ts';
import { VITAL_SIGNS, type VitalKey } from '../clinical/vital-signs.ts';
import { familyFirst, mrn } from '../fhir-format/patient.ts';
import { conceptText } from '../fhir-format/values.ts';
import { isInsertedHeader } from '../notes/chart-inserts.ts';
import { sectionsOf } from '../notes/note-resource.ts';
import { prescriptionText } from '../orders/sig.ts';

export interface VisitSummaryInput {
  practice: string;
  /** The practice's phone (its settings), for "call us". */
  practicePhone?: string | undefined;
  patient: Patient;
  clinician: string;
  /** When the visit was (the note's date). */
  visitDate: string;
  note: DocumentReference;
  vitals: readonly Observation[];
  medicationOrders: readonly MedicationRequest[];
  labOrders: readonly ServiceRequest[];
  nextAppointment?: Appointment | undefined;
}

export interface VisitSummary {
  practice: string;
  patientName: string;
  mrn?: string | undefined;
  title: string;
  sections: Array<{ heading: string; lines: string[] }>;
  closing: string;
}

/** Measures in the words a patient uses, in the order they are usually read out. */
const PLAIN_VITALS: ReadonlyArray<[VitalKey, string]> = [
  ['heartRate', 'Heart rate'],
  ['respiratoryRate', 'Breathing rate'],
  ['temperature', 'Temperature'],
  ['spo2', 'Oxygen level'],
  ['weight', 'Weight'],
  ['height', 'Height'],
  ['bmi', 'Body mass index (BMI)'],
  ['pain', 'Pain score'],
];

/** The note's section text without the chart data inserted into it (a header line and its lines, up to a blank line). */
export function withoutInserted(text: string): string {
  const kept: string[] = [];
  let skipping = false;
  for (const line of text.split('\n')) {
    if (isInsertedHeader(line)) skipping = true;
    else if (skipping && line.trim() === '') skipping = false;
    else if (!skipping) kept.push(line);
  }
  return kept.join('\n').trim();
}

export function visitSummary(input: VisitSummaryInput): VisitSummary {
  const day = format(new Date(input.visitDate), 'EEEE d MMMM yyyy');
  const sections: VisitSummary['sections'] = [];

  const latest = latestVitals(input.vitals);
  const measured: string[] = [];
  const systolic = latest.get('systolic');
  const diastolic = latest.get('diastolic');
  if (systolic && diastolic) measured.push(`Blood pressure: ${systolic.value}/${diastolic.value} mmHg`);
  for (const [key, label] of PLAIN_VITALS) {
    const v = latest.get(key);
    if (!v) continue;
    const def = VITAL_SIGNS[key];
    const unit = def.units.find((u) => u.code === v.unit)?.label ?? def.unit.label;
    measured.push(`${label}: ${Number(v.value.toFixed(def.decimals))}${unit ? ` ${unit}` : ''}`);
  }
  if (measured.length > 0) sections.push({ heading: 'What we measured today', lines: measured });

  const discussed = sectionsOf(input.note)
    .filter((s) => /assessment|plan/i.test(s.title))
    .map((s) => withoutInserted(s.text))
    .filter((t) => t !== '');
  if (discussed.length > 0) sections.push({ heading: 'What we discussed and the plan', lines: discussed.flatMap((t) => t.split('\n')) });

  const medicines = input.medicationOrders.filter((m) => m.status === 'active').map((m) => `${conceptText(m.medicationCodeableConcept)}: ${prescriptionText(m)}`);
  if (medicines.length > 0) sections.push({ heading: 'Medicines from this visit', lines: medicines });

  const tests = input.labOrders.filter((o) => o.status === 'active').map((o) => conceptText(o.code));
  if (tests.length > 0) sections.push({ heading: 'Tests we ordered', lines: [...tests, 'We will tell you the results when they are ready; you can also see them in your patient portal.'] });

  const next = input.nextAppointment;
  sections.push({
    heading: 'Your next appointment',
    lines: next?.start
      ? [`${format(new Date(next.start), 'EEEE d MMMM yyyy, HH:mm')}${next.appointmentType ? ` (${conceptText(next.appointmentType)})` : ''}`]
      : ['None booked yet. Please call us to book your follow-up.'],
  });

  return {
    practice: input.practice,
    patientName: familyFirst(input.patient.name),
    mrn: mrn(input.patient.identifier),
    title: `Your visit on ${day} with ${input.clinician}`,
    sections,
    closing: `If you have questions, or feel worse, call ${input.practice}${input.practicePhone ? ` on ${input.practicePhone}` : ''}. In an emergency, call 911.`,
  };
}

import type { Bundle, Condition, DiagnosticReport, Encounter, MedicationRequest, Observation, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { validateResource } from '../../fhir/validation/validate.ts';
import { complexPatient, complexPatientBundle, COMPLEX_PATIENT_ID } from './complex-patient.ts';
import { longRecordPatient } from './long-record-patient.ts';

const asOf = new Date('2026-12-05T08:00:00Z');
const of = <T extends Resource>(all: Resource[], type: T['resourceType']) => all.filter((r): r is T => r.resourceType === type);
const VITAL_LOINC = ['85353-1', '9279-1', '8867-4', '2708-6', '8310-5', '8302-2', '9843-4', '29463-7', '39156-5', '85354-9', '8480-6', '8462-4', '8478-0'];

describe('the demo complex patient', () => {
  const all = complexPatient(asOf);

  it('has the chart the brief asks for', () => {
    const active = (c: Condition) => c.clinicalStatus?.coding?.[0].code === 'active';
    expect(of<Condition>(all, 'Condition').filter(active)).toHaveLength(15);
    expect(of<Condition>(all, 'Condition').filter((c) => !active(c)).length).toBeGreaterThan(0);
    expect(of<MedicationRequest>(all, 'MedicationRequest').filter((m) => m.status === 'active')).toHaveLength(12);
    expect(of(all, 'AllergyIntolerance')).toHaveLength(5);
    expect(of(all, 'Immunization').length).toBeGreaterThanOrEqual(10);
    const encounters = of<Encounter>(all, 'Encounter');
    expect(encounters).toHaveLength(40);
    const starts = encounters.map((e) => Date.parse(e.period!.start!)).sort();
    expect((asOf.getTime() - starts[0]) / 86_400_000).toBeGreaterThan(3 * 365 - 10);
    expect(of(all, 'Appointment').every((a) => Date.parse((a as { start: string }).start) > asOf.getTime())).toBe(true);
    expect(all.filter((r) => r.resourceType !== 'Practitioner' && !JSON.stringify(r).includes(`Patient/${COMPLEX_PATIENT_ID}`) && r.id !== COMPLEX_PATIENT_ID)).toEqual([]);
  });

  it('writes vital signs with the profile codes and units, labs with ranges and flags, grouped by reports', () => {
    const observations = of<Observation>(all, 'Observation');
    const vitals = observations.filter((o) => o.category?.[0].coding?.[0].code === 'vital-signs');
    const labs = observations.filter((o) => o.category?.[0].coding?.[0].code === 'laboratory');
    for (const v of vitals) {
      expect(VITAL_LOINC).toContain(v.code.coding![0].code);
      if (v.valueQuantity) expect(v.valueQuantity.system).toBe('http://unitsofmeasure.org');
    }
    expect(new Set(vitals.map((v) => v.code.coding![0].code))).toEqual(new Set(['85353-1', '85354-9', '8867-4', '9279-1', '8310-5', '2708-6', '29463-7', '8302-2', '39156-5']));
    for (const code of ['4548-4', '98979-8', '13457-7']) expect(labs.filter((l) => l.code.coding![0].code === code).length, code).toBeGreaterThanOrEqual(12);
    expect(labs.every((l) => l.referenceRange !== undefined && l.interpretation !== undefined)).toBe(true);
    const flags = new Set(labs.map((l) => l.interpretation![0].coding![0].code));
    for (const flag of ['H', 'L', 'N', 'HH']) expect(flags).toContain(flag);
    const ids = new Set(observations.map((o) => `Observation/${o.id}`));
    const reports = of<DiagnosticReport>(all, 'DiagnosticReport');
    expect(reports.length).toBeGreaterThanOrEqual(39);
    for (const r of reports) for (const result of r.result ?? []) expect(ids).toContain(result.reference);
  });

  it('is valid FHIR R4, the same every time, and loads as a transaction of PUTs', () => {
    const problems = all.flatMap((r) => validateResource(r).filter((i) => i.severity === 'error').map((i) => `${r.resourceType}/${r.id}: ${i.diagnostics}`));
    expect(problems).toEqual([]);
    expect(JSON.stringify(complexPatient(asOf))).toBe(JSON.stringify(all));
    const bundle: Bundle = complexPatientBundle(asOf, { id: 'demo-physician', name: 'Dr. Dana Whitfield' });
    expect(bundle.entry!.every((e) => e.request!.method === 'PUT')).toBe(true);
    expect(JSON.stringify(bundle)).toContain('Practitioner/demo-physician');
    expect(bundle.entry!.some((e) => e.resource!.resourceType === 'Practitioner')).toBe(false);
  });
});

describe('the benchmark patient with a long record', () => {
  it('has 1,000 encounters and 20,000 observations, valid and deterministic', () => {
    const all = [...longRecordPatient({ id: 'long', asOf })];
    expect(of(all, 'Patient')).toHaveLength(1);
    expect(of(all, 'Encounter')).toHaveLength(1000);
    expect(of(all, 'Observation')).toHaveLength(20_000);
    const sample = [...all.slice(0, 50), ...all.slice(-50)];
    expect(sample.flatMap((r) => validateResource(r).filter((i) => i.severity === 'error'))).toEqual([]);
    expect(JSON.stringify([...longRecordPatient({ id: 'long', asOf })].slice(-5))).toBe(JSON.stringify(all.slice(-5)));
  });
});

/**
 * A patient with a long record, for benchmarks of the chart: 1,000 encounters and 20,000
 * observations by default (each visit: a vital-signs set of 9 Observations — panel, blood
 * pressure, heart and respiratory rate, temperature, SpO2, weight, height, BMI — and a basic
 * metabolic panel of 8 results, eGFR, HbA1c and LDL: 20), visits every 4 days back from `asOf`.
 * Deterministic (seeded), with ids `<id>-…`, so a benchmark can load it with `PUT`s and name what
 * it expects. Generated lazily: the caller writes it in batches.
 */
import type { Encounter, Patient, Resource } from '@medplum/fhirtypes';
import { LAB_PANELS, LABS } from './clinical-codes.ts';
import { labReport, labResult, vitalSigns, type Context } from './observations.ts';
import { jitter, seededRandom } from './seeded-random.ts';

export interface LongRecordOptions {
  id: string;
  asOf: Date;
  encounters?: number;
  /** Observations in all; at most 20 per encounter (the vital-signs set and the labs). */
  observations?: number;
  seed?: number;
}

const DAY = 86_400_000;

export function* longRecordPatient(o: LongRecordOptions): Generator<Resource> {
  const encounters = o.encounters ?? 1000;
  const perVisit = Math.min(20, Math.ceil((o.observations ?? 20_000) / encounters));
  let left = o.observations ?? 20_000;
  const random = seededRandom(o.seed ?? 20_000);
  const patient: Patient = {
    resourceType: 'Patient',
    id: o.id,
    identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, system: 'urn:heron:demo:mrn', value: `LR-${o.id}` }],
    name: [{ use: 'official', family: 'Longrecord', given: ['Benchmark'] }],
    gender: 'male',
    birthDate: '1948-02-29',
  };
  yield patient;
  for (let i = 0; i < encounters; i++) {
    const start = new Date(o.asOf.getTime() - (encounters - i) * 4 * DAY + 9 * 3_600_000);
    const encounter: Encounter = {
      resourceType: 'Encounter',
      id: `${o.id}-e${i}`,
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
      type: [{ coding: [{ system: 'http://snomed.info/sct', code: '185349003', display: 'Encounter for check up' }] }],
      subject: { reference: `Patient/${o.id}` },
      period: { start: start.toISOString(), end: new Date(start.getTime() + 1_800_000).toISOString() },
    };
    yield encounter;
    if (left <= 0) continue;
    const c: Context = { patient: { reference: `Patient/${o.id}` }, encounter: { reference: `Encounter/${encounter.id}` }, at: start.toISOString() };
    const visit: Resource[] = vitalSigns(`${o.id}-e${i}-v`, c, {
      systolic: jitter(random, 138, 14),
      diastolic: jitter(random, 84, 8),
      heartRate: jitter(random, 74, 10),
      respiratoryRate: jitter(random, 16, 3),
      temperature: jitter(random, 36.8, 0.4, 1),
      oxygenSaturation: jitter(random, 96, 2),
      weight: jitter(random, 88, 3, 1),
      height: 176,
    });
    const lab = (name: keyof typeof LABS, value: number) => labResult(`${o.id}-e${i}-${name}`, c, LABS[name], value);
    const bmp = [
      lab('sodium', jitter(random, 140, 4)),
      lab('potassium', jitter(random, 4.4, 0.8, 1)),
      lab('chloride', jitter(random, 102, 4)),
      lab('co2', jitter(random, 25, 3)),
      lab('bun', jitter(random, 22, 6)),
      lab('creatinine', jitter(random, 1.2, 0.25, 2)),
      lab('glucose', jitter(random, 130, 30)),
      lab('calcium', jitter(random, 9.4, 0.6, 1)),
    ];
    visit.push(...bmp, lab('egfr', jitter(random, 55, 8)), lab('a1c', jitter(random, 7.4, 0.8, 1)), lab('ldl', jitter(random, 105, 25)));
    const observations = visit.slice(0, Math.min(perVisit, left));
    left -= observations.length;
    yield* observations;
    if (observations.length === visit.length) yield labReport(`${o.id}-e${i}-bmp-report`, c, LAB_PANELS.bmp, bmp);
  }
}

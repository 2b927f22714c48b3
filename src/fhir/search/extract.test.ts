import type { Observation, Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { sampleResources } from '../../../tests/fixtures/sample-resources.ts';
import { typed } from '../fhirpath.ts';
import { extractIndexRows, planFor } from './extract.ts';
import { latestRows } from './latest.ts';
import type { IndexRow } from './types.ts';

const ms = (iso: string): number => Date.parse(iso);
const of = (rows: IndexRow[], param: string): IndexRow[] => rows.filter((r) => r.param === param);

describe('extractIndexRows', () => {
  const patient: Patient = {
    resourceType: 'Patient',
    id: 'p1',
    meta: { lastUpdated: '2024-01-02T03:04:05.678Z', tag: [{ system: 'urn:t', code: 'demo' }] },
    identifier: [{ system: 'urn:mrn', value: 'M1', type: { text: 'Medical Record Number' } }],
    name: [{ family: 'Núñez', given: ['Ana', 'Ana'] }],
    telecom: [{ system: 'phone', value: '555-1234' }, { system: 'email', value: 'ana@example.org' }],
    gender: 'female',
    birthDate: '1980-05',
    address: [{ city: 'Boston', postalCode: '02110' }],
    generalPractitioner: [{ reference: 'Practitioner/d1' }],
    managingOrganization: { reference: 'http://other.org/fhir/Organization/o1' },
  };

  it('indexes a Patient by its R4 parameters', () => {
    const rows = extractIndexRows(patient);
    // The store searches _id and _lastUpdated on the resource itself.
    expect(of(rows, '_id')).toEqual([]);
    expect(of(rows, '_lastUpdated')).toEqual([]);
    expect(of(rows, '_tag')).toEqual([{ kind: 'token', param: '_tag', system: 'urn:t', code: 'demo', text: null }]);
    expect(of(rows, 'identifier')).toEqual([{ kind: 'token', param: 'identifier', system: 'urn:mrn', code: 'M1', text: 'medical record number' }]);
    expect(of(rows, 'family')).toEqual([{ kind: 'string', param: 'family', value: 'nunez', exact: 'Núñez' }]);
    expect(of(rows, 'given')).toEqual([{ kind: 'string', param: 'given', value: 'ana', exact: 'Ana' }]); // once, not twice
    expect(of(rows, 'name').map((r) => (r.kind === 'string' ? r.value : ''))).toEqual(['nunez', 'ana']);
    expect(of(rows, 'gender')).toEqual([{ kind: 'token', param: 'gender', system: 'http://hl7.org/fhir/administrative-gender', code: 'female', text: null }]);
    expect(of(rows, 'birthdate')).toEqual([{ kind: 'date', param: 'birthdate', start: ms('1980-05-01'), end: ms('1980-05-31T23:59:59.999Z') }]);
    expect(of(rows, 'phone')).toEqual([{ kind: 'token', param: 'phone', system: 'phone', code: '555-1234', text: null }]);
    expect(of(rows, 'email')).toEqual([{ kind: 'token', param: 'email', system: 'email', code: 'ana@example.org', text: null }]);
    expect(of(rows, 'telecom')).toHaveLength(2);
    expect(of(rows, 'address-city')).toEqual([{ kind: 'string', param: 'address-city', value: 'boston', exact: 'Boston' }]);
    expect(of(rows, 'general-practitioner')).toEqual([{ kind: 'reference', param: 'general-practitioner', targetType: 'Practitioner', targetId: 'd1', url: null }]);
    expect(of(rows, 'organization')).toEqual([{ kind: 'reference', param: 'organization', targetType: null, targetId: null, url: 'http://other.org/fhir/Organization/o1' }]);
    // R4's expression is `deceased.exists() and deceased != false`: living patients index `false`.
    expect(of(rows, 'deceased')).toEqual([{ kind: 'token', param: 'deceased', system: null, code: 'false', text: null }]);
    expect(of(extractIndexRows({ ...patient, deceasedDateTime: '2020' }), 'deceased')[0]).toMatchObject({ code: 'true' });
  });

  it('indexes an Observation: code, value, subject/patient, effective, quantity', () => {
    const obs: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '8302-2', display: 'Body Height' }], text: 'Body Height' },
      subject: { reference: 'Patient/p1' },
      effectiveDateTime: '2019-03-04T10:00:00+01:00',
      valueQuantity: { value: 172.5, unit: 'cm', system: 'http://unitsofmeasure.org', code: 'cm' },
    };
    const rows = extractIndexRows(obs);
    expect(of(rows, 'code')).toEqual([{ kind: 'token', param: 'code', system: 'http://loinc.org', code: '8302-2', text: 'body height' }]);
    expect(of(rows, 'subject')).toEqual([{ kind: 'reference', param: 'subject', targetType: 'Patient', targetId: 'p1', url: null }]);
    expect(of(rows, 'patient')).toEqual([{ kind: 'reference', param: 'patient', targetType: 'Patient', targetId: 'p1', url: null }]);
    expect(of(rows, 'date')).toEqual([{ kind: 'date', param: 'date', start: ms('2019-03-04T09:00:00Z'), end: ms('2019-03-04T09:00:00.999Z') }]);
    expect(of(rows, 'value-quantity')).toEqual([
      { kind: 'quantity', param: 'value-quantity', value: 172.5, low: 172.45, high: 172.55, system: 'http://unitsofmeasure.org', code: 'cm', unit: 'cm' },
    ]);
    expect(of(rows, 'status')[0]).toMatchObject({ system: 'http://hl7.org/fhir/observation-status', code: 'final' });
    expect(of(rows, 'value-concept')).toEqual([]);
    // A Group subject is a subject but not a patient.
    const group = extractIndexRows({ ...obs, subject: { reference: 'Group/g' } });
    expect(of(group, 'patient')).toEqual([]);
    expect(of(group, 'subject')).toHaveLength(1);
  });

  it('does not index a Condition onset date as onset-info text', () => {
    const rows = extractIndexRows({ resourceType: 'Condition', subject: { reference: 'Patient/p' }, onsetDateTime: '2010-01-01' });
    expect(of(rows, 'onset-info')).toEqual([]);
    expect(of(rows, 'onset-date')).toHaveLength(1);
    expect(of(extractIndexRows({ resourceType: 'Condition', subject: { reference: 'Patient/p' }, onsetString: 'Childhood' }), 'onset-info')).toHaveLength(1);
  });

  it('extracts every Synthea resource without duplicates, and reports the speed', () => {
    const resources = sampleResources({ localReferences: true });
    let total = 0;
    for (const r of resources) {
      const rows = extractIndexRows(r);
      const keys = new Set(rows.map((row) => JSON.stringify(row)));
      if (keys.size !== rows.length) expect(rows, `${r.resourceType}/${r.id} has duplicate rows`).toEqual([...keys].map((k) => JSON.parse(k)));
      total += rows.length;
    }
    expect(total).toBeGreaterThan(150_000);
    const start = process.cpuUsage();
    for (const r of resources) extractIndexRows(r);
    const used = process.cpuUsage(start);
    const us = (used.user + used.system) / resources.length;
    console.log(`extractIndexRows: ${resources.length} resources, ${total} rows, ${us.toFixed(1)} µs CPU/resource`);
    expect(us).toBeLessThan(1000); // a regression guard only; ~20 µs on an idle machine
  });

  it('skips only paths whose first element the resource lacks: same rows as evaluating every path', () => {
    const resources = [...sampleResources({ localReferences: true }), { resourceType: 'Patient', _birthDate: { extension: [{ url: 'http://x', valueString: 'y' }] } } as unknown as Patient];
    let skipped = 0;
    for (const r of resources) {
      const all: IndexRow[] = [];
      for (const param of planFor(r.resourceType)) {
        for (const branch of param.branches) {
          if (branch.rootKeys && !branch.rootKeys.some((k) => (r as unknown as Record<string, unknown>)[k] !== undefined)) skipped++;
          for (const value of branch.path.evaluateTyped([typed(r)])) param.index(param.code, value, (row) => all.push(row), branch.implicitSystem);
        }
      }
      const unique = [...new Map(all.map((row) => [JSON.stringify(row), row])).values()];
      // The $lastn rows come from the others, once all are known.
      expect(extractIndexRows(r), `${r.resourceType}/${r.id}`).toEqual([...unique, ...latestRows(r.resourceType, unique)]);
    }
    expect(skipped).toBeGreaterThan(100_000);
  });

  it('indexes every patient reference the sample expects', () => {
    const resources = sampleResources({ localReferences: true });
    const patients = new Set(resources.filter((r) => r.resourceType === 'Patient').map((r) => r.id));
    let linked = 0;
    for (const r of resources) {
      for (const row of extractIndexRows(r)) {
        if (row.kind === 'reference' && row.param === 'patient' && row.targetType === 'Patient') {
          expect(patients.has(row.targetId as string)).toBe(true);
          linked++;
        }
      }
    }
    expect(linked).toBeGreaterThan(15_000);
  });
});

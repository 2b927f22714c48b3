import type { Observation } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { extractIndexRows } from './extract.ts';
import { LATEST_PARAM, type IndexRow } from './types.ts';

const latest = (o: Partial<Observation>) =>
  extractIndexRows({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, ...o } as Observation)
    .filter((r): r is Extract<IndexRow, { kind: 'composite' }> => r.kind === 'composite' && r.param === LATEST_PARAM)
    .map((r) => `${r.subject} ${r.second.kind === 'token' ? `${r.second.system}|${r.second.code}` : '?'} ${r.first.system}|${r.first.code} ${r.at?.end}`);

describe('$lastn index rows', () => {
  const base: Partial<Observation> = {
    subject: { reference: 'Patient/p1' },
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }, { code: 'local-weight' }] },
    effectiveDateTime: '2024-01-02',
  };

  it('pairs each coded code with each category, for the patient, at the end of the effective date', () => {
    const end = Date.parse('2024-01-03T00:00:00Z') - 1;
    expect(latest({ ...base, category: [{ coding: [{ system: 'urn:c', code: 'vital-signs' }] }] })).toEqual([
      `Patient/p1 urn:c|vital-signs http://loinc.org|29463-7 ${end}`,
      `Patient/p1 urn:c|vital-signs |local-weight ${end}`,
    ]);
    expect(latest(base)).toEqual([`Patient/p1 | http://loinc.org|29463-7 ${end}`, `Patient/p1 | |local-weight ${end}`]);
  });

  it('has none without a patient subject, a coded code or an effective date', () => {
    expect(latest({ ...base, subject: { reference: 'Group/g1' } })).toEqual([]);
    expect(latest({ ...base, code: { text: 'weight' } })).toEqual([]);
    expect(latest({ ...base, effectiveDateTime: undefined })).toEqual([]);
  });
});

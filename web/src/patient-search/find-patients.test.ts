import type { Bundle, Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { findPatients, findRecentPatients, MAX_RESULTS } from './find-patients.ts';
import { MAX_RECENT_PATIENTS, readRecentPatients, rememberRecentPatient, type RecentStore } from './recent-patients.ts';
import { planPatientSearch } from './search-terms.ts';

const bundle = (...ids: string[]): Bundle<Patient> => ({ resourceType: 'Bundle', type: 'searchset', entry: ids.map((id) => ({ resource: { resourceType: 'Patient', id }, search: { mode: 'match' } })) });

describe('findPatients', () => {
  it('runs every planned search with _count, _elements and _total=none, and merges results by id in plan order', async () => {
    const asked: string[] = [];
    const answers: Record<string, string[]> = { 'D-100042': ['b', 'c'], '555-201-4477': ['a', 'b'] };
    const plan = planPatientSearch('D-100042 555-201-4477');
    const found = await findPatients(async (params) => {
      asked.push(params.toString());
      const key = params.get('identifier') ?? params.get('phone')?.split(',')[0] ?? '';
      return bundle(...(answers[key] ?? []));
    }, plan);
    expect(asked.length).toBe(plan.queries.length);
    for (const q of asked) expect(q).toMatch(/_count=10&_elements=name%2CbirthDate%2Cgender%2Cidentifier%2Ctelecom.*&_total=none/);
    expect(found.map((p) => p.id)).toEqual(['b', 'c', 'a']);
  });

  it('shows at most MAX_RESULTS patients', async () => {
    const ids = Array.from({ length: 15 }, (_, i) => `p${i}`);
    const found = await findPatients(async () => bundle(...ids), planPatientSearch('smith'));
    expect(found).toHaveLength(MAX_RESULTS);
  });

  it('passes the abort signal to every request, so a new keystroke cancels them', async () => {
    const controller = new AbortController();
    const signals: (AbortSignal | undefined)[] = [];
    await findPatients(async (_, signal) => (signals.push(signal), bundle()), planPatientSearch('D-1 555-201-4477'), controller.signal);
    expect(signals.length).toBeGreaterThan(1);
    expect(signals.every((s) => s === controller.signal)).toBe(true);
  });
});

describe('recent patients', () => {
  it('are read in the order they were opened, with one _id search', async () => {
    const asked: string[] = [];
    const found = await findRecentPatients(async (params) => (asked.push(params.get('_id')!), bundle('a', 'c', 'b')), ['c', 'a', 'gone', 'b']);
    expect(asked).toEqual(['c,a,gone,b']);
    expect(found.map((p) => p.id)).toEqual(['c', 'a', 'b']);
    expect(await findRecentPatients(async () => bundle('x'), [])).toEqual([]);
  });

  it('are kept per user, newest first, each once, at most MAX_RECENT_PATIENTS', () => {
    const storage = memoryStorage();
    for (let i = 0; i < MAX_RECENT_PATIENTS + 2; i++) rememberRecentPatient(storage, 'u1', `p${i}`);
    rememberRecentPatient(storage, 'u1', 'p5');
    const ids = readRecentPatients(storage, 'u1');
    expect(ids).toHaveLength(MAX_RECENT_PATIENTS);
    expect(ids.slice(0, 2)).toEqual(['p5', 'p9']);
    expect(ids.filter((id) => id === 'p5')).toHaveLength(1);
    expect(readRecentPatients(storage, 'u2')).toEqual([]);
  });

  it('a damaged entry reads as none', () => {
    const storage = memoryStorage();
    storage.setItem('heron.recent-patients.u1', '{not json');
    expect(readRecentPatients(storage, 'u1')).toEqual([]);
  });
});

function memoryStorage(): RecentStore {
  const map = new Map<string, string>();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

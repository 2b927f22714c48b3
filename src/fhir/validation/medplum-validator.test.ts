/**
 * Heron's validator against medplum's on the same inputs: on the Synthea sample and on
 * thousands of random corruptions of it, whatever medplum rejects Heron must reject too
 * (Heron is allowed to be stricter: required bindings, calendar dates, empty values).
 */
import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { sampleResources } from '../../../tests/fixtures/sample-resources.ts';
import { validateWithMedplum } from './medplum-validator.ts';
import { validateResource } from './validate.ts';

type Node = Record<string, unknown>;
interface Slot {
  parent: Node | unknown[];
  key: string | number;
}

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function slots(value: unknown, out: Slot[] = []): Slot[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push({ parent: value, key: i });
      slots(v, out);
    });
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'resourceType') continue;
      out.push({ parent: value as Node, key: k });
      slots(v, out);
    }
  }
  return out;
}

const get = (s: Slot): unknown => (s.parent as Record<string | number, unknown>)[s.key];
const set = (s: Slot, v: unknown): void => {
  (s.parent as Record<string | number, unknown>)[s.key] = v;
};

const MUTATIONS: Record<string, (r: Resource, pick: <T>(xs: T[]) => T | undefined) => boolean> = {
  unknownElement: (r, pick) => {
    const objects = [r as unknown, ...slots(r).map(get)].filter((v) => v && typeof v === 'object' && !Array.isArray(v)) as Node[];
    const o = pick(objects);
    if (!o) return false;
    o.zzUnknown = 1;
    return true;
  },
  wrongPrimitiveType: (_r, pick) => {
    const s = pick(slots(_r).filter((x) => ['string', 'number', 'boolean'].includes(typeof get(x))));
    if (!s) return false;
    const v = get(s);
    set(s, typeof v === 'string' ? 12345 : typeof v === 'number' ? 'abc' : 'true');
    return true;
  },
  deleteElement: (r, pick) => {
    const s = pick(slots(r).filter((x) => typeof x.key === 'string'));
    if (!s) return false;
    delete (s.parent as Node)[s.key as string];
    return true;
  },
  badDate: (r, pick) => {
    const s = pick(slots(r).filter((x) => typeof get(x) === 'string' && /^\d{4}-\d{2}/.test(get(x) as string)));
    if (!s) return false;
    set(s, '2020-13-45');
    return true;
  },
  listShape: (r, pick) => {
    const s = pick(slots(r).filter((x) => typeof x.key === 'string' && get(x) && typeof get(x) === 'object'));
    if (!s) return false;
    const v = get(s);
    set(s, Array.isArray(v) ? v[0] : [v]);
    return true;
  },
  nullValue: (r, pick) => {
    const s = pick(slots(r));
    if (!s) return false;
    set(s, null);
    return true;
  },
};

describe('validateResource vs medplum validateResource', () => {
  const resources = sampleResources({ localReferences: true }).filter((_, i) => i % 7 === 0);

  it('agrees that the Synthea sample is valid', () => {
    for (const r of resources) {
      expect(validateWithMedplum(r), `${r.resourceType}/${r.id}`).toEqual([]);
      expect(validateResource(r), `${r.resourceType}/${r.id}`).toEqual([]);
    }
  });

  it('rejects every random corruption that medplum rejects', () => {
    const rand = random(20261124);
    const pick = <T>(xs: T[]): T | undefined => (xs.length === 0 ? undefined : xs[Math.floor(rand() * xs.length)]);
    const stats: Record<string, { tried: number; medplum: number; heron: number; stricter: number }> = {};
    for (const r of resources) {
      for (const [name, mutate] of Object.entries(MUTATIONS)) {
        const copy = structuredClone(r);
        if (!mutate(copy, pick)) continue;
        const s = (stats[name] ??= { tried: 0, medplum: 0, heron: 0, stricter: 0 });
        s.tried++;
        let medplumRejects: boolean;
        try {
          medplumRejects = validateWithMedplum(copy).length > 0;
        } catch {
          medplumRejects = true; // e.g. a crash inside medplum on a shape it does not expect
        }
        const heronRejects = validateResource(copy).length > 0;
        if (medplumRejects) s.medplum++;
        if (heronRejects) s.heron++;
        if (heronRejects && !medplumRejects) s.stricter++;
        if (medplumRejects && !heronRejects) expect(copy, `${name}: medplum rejects, Heron accepts`).toBeUndefined();
      }
    }
    console.log('mutations (tried, medplum rejects, Heron rejects, Heron only):', JSON.stringify(stats));
    expect(Object.values(stats).reduce((n, s) => n + s.medplum, 0)).toBeGreaterThan(5_000);
  });
});

import { describe, expect, it } from 'vitest';
import { newResourceId } from './resource-id.ts';

describe('newResourceId', () => {
  it('makes RFC 9562 version 7 UUIDs that are valid FHIR ids', () => {
    const id = newResourceId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
  });

  it('sorts ids by the time they were made, so inserts append to indexes', () => {
    const ids = [1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000].map((t) => newResourceId(t));
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0].slice(0, 13)).toBe('018bcfe5-6800');
  });

  it('differs between ids made in the same millisecond', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newResourceId(1_700_000_000_000)));
    expect(ids.size).toBe(1000);
  });
});

describe('newResourceId random bits', () => {
  it('keeps drawing fresh random bits past a refill of its pool', () => {
    // 2,000 ids span several refills; a reused or zeroed pool would repeat random parts.
    const randomParts = Array.from({ length: 2000 }, () => newResourceId(0).slice(14).replace('-', ''));
    expect(new Set(randomParts).size).toBe(2000);
    expect(randomParts.every((p) => /^7[0-9a-f]{3}[89ab][0-9a-f]{15}$/.test(p.replace('-', '')))).toBe(true);
  });

  it('encodes the timestamp big-endian in the first 48 bits', () => {
    expect(newResourceId(0x0123456789ab).slice(0, 13)).toBe('01234567-89ab');
  });
});

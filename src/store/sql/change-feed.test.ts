import { describe, expect, it } from 'vitest';
import { decodeChanges, encodeChanges } from './change-feed.ts';

describe('change payloads', () => {
  it('round-trips a transaction of changes', () => {
    const changes = [
      { resourceType: 'Task', id: 'a', versionId: '1', deleted: false },
      { resourceType: 'Observation', id: 'b', versionId: '3', deleted: true },
    ];
    const payloads = encodeChanges('practice-1', changes);
    expect(payloads).toHaveLength(1);
    expect(decodeChanges(payloads[0])).toEqual({ tenant: 'practice-1', changes });
  });

  it('splits a large transaction into payloads under the NOTIFY limit, keeping every change in order', () => {
    const changes = Array.from({ length: 2000 }, (_, i) => ({ resourceType: 'Observation', id: `id-${i}-0123456789abcdef`, versionId: '1', deleted: false }));
    const payloads = encodeChanges('t', changes);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    expect(payloads.flatMap((p) => decodeChanges(p)!.changes)).toEqual(changes);
  });

  it('ignores payloads that are not Heron changes', () => {
    expect(decodeChanges('hello')).toBeUndefined();
    expect(decodeChanges('{"t":1}')).toBeUndefined();
    expect(decodeChanges('{"t":"x","c":[[1]]}')).toBeUndefined();
  });
});

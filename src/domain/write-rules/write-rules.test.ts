import { describe, expect, it } from 'vitest';
import type { StoredVersion, StoreTransaction, VersionWrite } from '../../store/store.ts';
import type { Ctx } from '../context.ts';
import { guardWrites, type ProposedWrite } from './write-rules.ts';

const stored: StoredVersion = {
  resourceType: 'DocumentReference',
  id: 'n1',
  versionId: '2',
  lastUpdated: '2026-12-05T10:00:00.000Z',
  deleted: false,
  method: 'PUT',
  resource: { resourceType: 'DocumentReference', id: 'n1', status: 'current', content: [] },
} as unknown as StoredVersion;

function fakeTx(): { tx: StoreTransaction; written: VersionWrite[]; reads: string[] } {
  const written: VersionWrite[] = [];
  const reads: string[] = [];
  const tx = {
    readCurrent: async (type: string, id: string) => {
      reads.push(`${type}/${id}`);
      return stored;
    },
    writeVersion: async (write: VersionWrite) => {
      written.push(write);
      return stored;
    },
  } as unknown as StoreTransaction;
  return { tx, written, reads };
}

const ctx = { tenant: 'p1' } as Ctx;
const put: VersionWrite = { resourceType: 'DocumentReference', id: 'n1', method: 'PUT', resource: { resourceType: 'DocumentReference', status: 'current', content: [] } };

describe('guardWrites', () => {
  it('hands a rule the write and the version it replaces, then writes', async () => {
    const { tx, written } = fakeTx();
    const seen: ProposedWrite[] = [];
    await guardWrites(ctx, tx, { DocumentReference: [async (p) => void seen.push(p)] }).writeVersion(put);
    expect(seen).toHaveLength(1);
    expect(await seen[0]!.current()).toBe(stored);
    expect(seen[0]!.write).toBe(put);
    expect(written).toEqual([put]);
  });

  it('a rule that throws stops the write', async () => {
    const { tx, written } = fakeTx();
    const guarded = guardWrites(ctx, tx, {
      DocumentReference: [
        async () => {
          throw new Error('signed');
        },
      ],
    });
    await expect(guarded.writeVersion(put)).rejects.toThrow('signed');
    expect(written).toEqual([]);
  });

  it('a create has no stored version to read; a type without rules reads nothing', async () => {
    const { tx, reads } = fakeTx();
    let current: unknown = 'unset';
    await guardWrites(ctx, tx, { DocumentReference: [async (p) => void (current = await p.current())] }).writeVersion({ ...put, method: 'POST' });
    expect(current).toBeUndefined();
    await guardWrites(ctx, tx, { DocumentReference: [async () => undefined] }).writeVersion({ ...put, resourceType: 'Patient' });
    expect(reads).toEqual([]);
  });

  it('the stored version is read only when a rule asks for it, and once however many ask', async () => {
    const { tx, reads } = fakeTx();
    const blind = async () => undefined;
    await guardWrites(ctx, tx, { DocumentReference: [blind] }).writeVersion(put);
    expect(reads).toEqual([]);
    const asks = async (p: ProposedWrite) => void (await p.current());
    await guardWrites(ctx, tx, { DocumentReference: [blind, asks, asks] }).writeVersion(put);
    expect(reads).toEqual(['DocumentReference/n1']);
  });
});

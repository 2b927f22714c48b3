import { describe, expect, it } from 'vitest';
import { groupCommit } from './group-commit.ts';

describe('groupCommit', () => {
  it('writes the items of one moment together, one write at a time, and settles each caller with its write', async () => {
    const writes: number[][] = [];
    let release: () => void = () => {};
    const commit = groupCommit<number>(async (batch) => {
      writes.push(batch);
      if (writes.length === 1) await new Promise<void>((r) => (release = r));
    });
    const first = [commit(1), commit(2), commit(3)];
    await new Promise((r) => setImmediate(r));
    // The first write is in flight; these wait for it and then go together.
    const second = [commit(4), commit(5)];
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual([[1, 2, 3]]);
    release();
    await Promise.all([...first, ...second]);
    expect(writes).toEqual([[1, 2, 3], [4, 5]]);
  });

  it('a failed write fails every caller it carried, and the next moment writes again', async () => {
    let fail = true;
    const commit = groupCommit<string>(async () => {
      if (fail) throw new Error('disk full');
    });
    const results = await Promise.allSettled([commit('a'), commit('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(commit('c')).resolves.toBeUndefined();
  });
});

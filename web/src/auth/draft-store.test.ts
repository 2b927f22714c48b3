import { describe, expect, it } from 'vitest';
import { DRAFT_MAX_AGE_MS, DraftStore, draftKey } from './draft-store.ts';

/** The Web Storage interface over a Map (the tests run in Node). */
function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    key: (i) => [...map.keys()][i] ?? null,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
    clear: () => map.clear(),
  };
}

describe('drafts', () => {
  it('are kept per user, patient and form', () => {
    expect(draftKey('u1', 'p1', 'vitals')).not.toBe(draftKey('u2', 'p1', 'vitals'));
    expect(draftKey('u1', 'p1', 'vitals')).not.toBe(draftKey('u1', 'p2', 'vitals'));
    expect(draftKey('u1', undefined, 'register')).toBe('heron.draft.u1.-.register');
  });

  it('come back as typed until saved (cleared) or too old', () => {
    let now = 1_000_000;
    const storage = memoryStorage();
    const drafts = new DraftStore(storage, () => now);
    const key = draftKey('u1', 'p1', 'note');
    drafts.write(key, { text: 'BP high, recheck' });
    expect(drafts.read(key)).toEqual({ value: { text: 'BP high, recheck' }, savedAt: 1_000_000 });
    drafts.clear(key);
    expect(drafts.read(key)).toBeUndefined();

    drafts.write(key, 'old');
    now += DRAFT_MAX_AGE_MS + 1;
    drafts.sweep();
    expect(storage.length).toBe(0);
  });

  it('drops a damaged entry instead of failing the form', () => {
    const storage = memoryStorage();
    storage.setItem('heron.draft.u1.p1.note', '{not json');
    expect(new DraftStore(storage).read('heron.draft.u1.p1.note')).toBeUndefined();
    expect(storage.length).toBe(0);
  });
});

/**
 * Drafts of forms, kept in localStorage per user, patient and form, so nothing typed is lost when
 * the session ends (idle time-out, a closed tab, a crash): the form offers it again after the
 * user signs back in, and clears it on save. Drafts older than `DRAFT_MAX_AGE_MS` are dropped,
 * so a shared workstation does not keep clinical text for days (docs/web.md#drafts).
 */
export const DRAFT_MAX_AGE_MS = 12 * 3600_000;
const PREFIX = 'heron.draft.';

export interface SavedDraft<T> {
  value: T;
  /** Epoch ms of the last change. */
  savedAt: number;
}

export function draftKey(userId: string, patientId: string | undefined, form: string): string {
  return `${PREFIX}${encodeURIComponent(userId)}.${encodeURIComponent(patientId ?? '-')}.${encodeURIComponent(form)}`;
}

export class DraftStore {
  constructor(
    private readonly storage: Storage,
    private readonly now: () => number = () => Date.now(),
  ) {}

  read<T>(key: string): SavedDraft<T> | undefined {
    const text = this.storage.getItem(key);
    if (text === null) return undefined;
    try {
      const draft = JSON.parse(text) as SavedDraft<T>;
      if (typeof draft.savedAt === 'number' && this.now() - draft.savedAt <= DRAFT_MAX_AGE_MS) return draft;
    } catch {
      // A damaged entry is removed below like an expired one: it can never be offered.
    }
    this.storage.removeItem(key);
    return undefined;
  }

  write<T>(key: string, value: T): void {
    const draft: SavedDraft<T> = { value, savedAt: this.now() };
    this.storage.setItem(key, JSON.stringify(draft));
  }

  clear(key: string): void {
    this.storage.removeItem(key);
  }

  /** Removes every expired draft (of every user): called once per page load. */
  sweep(): void {
    const keys: string[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const key = this.storage.key(i);
      if (key?.startsWith(PREFIX)) keys.push(key);
    }
    for (const key of keys) this.read(key);
  }
}

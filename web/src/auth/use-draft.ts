import { useCallback, useMemo, useState } from 'react';
import { useUser } from './auth-context.tsx';
import { DraftStore, draftKey } from './draft-store.ts';

export interface Draft<T> {
  value: T;
  /** Set on every change; the value is saved locally at once. */
  setValue: (value: T) => void;
  /** When a draft from earlier (another session) was restored: its time, to tell the user. */
  restoredAt?: number;
  /** Forget the restored draft and start from `initial`. */
  discard: () => void;
  /** After a successful save: the draft is no longer needed. */
  clear: () => void;
}

/**
 * What the user types in a form, kept in this browser until saved, per user, patient and form:
 * after an idle sign-out or a closed tab, opening the same form for the same patient offers it
 * again. A failed save keeps it. Keys never mix patients, so a draft cannot reach another chart.
 */
export function useDraft<T>(form: string, patientId: string | undefined, initial: T): Draft<T> {
  const user = useUser();
  const key = draftKey(user.id, patientId, form);
  const store = useMemo(() => new DraftStore(window.localStorage), []);
  const [state, setState] = useState(() => {
    const saved = store.read<T>(key);
    return saved ? { value: saved.value, restoredAt: saved.savedAt as number | undefined } : { value: initial, restoredAt: undefined };
  });
  const setValue = useCallback(
    (value: T) => {
      store.write(key, value);
      setState((s) => ({ ...s, value }));
    },
    [store, key],
  );
  const discard = useCallback(() => {
    store.clear(key);
    setState({ value: initial, restoredAt: undefined });
    // `initial` is the form's empty state, fixed for the form's life.
  }, [store, key]);
  const clear = useCallback(() => {
    store.clear(key);
    setState((s) => ({ ...s, restoredAt: undefined }));
  }, [store, key]);
  return { value: state.value, setValue, ...(state.restoredAt !== undefined ? { restoredAt: state.restoredAt } : {}), discard, clear };
}

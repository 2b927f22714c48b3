/**
 * When an app or backend service was last issued a token (`last_used_at` in the admin API), kept
 * to the minute: the token endpoint is the one place every client passes, far less often than it
 * calls the API. This process skips clients it recorded within the minute; the store's
 * conditional update skips those another app server recorded.
 */
import type { FhirStore } from '../../store/store.ts';

export const CLIENT_USE_PRECISION_MS = 60_000;
/** Clients remembered by this process before it starts again (a practice has a handful). */
const REMEMBERED = 10_000;

export type ClientUseRecorder = (clientId: string, at: number) => Promise<void>;

export function clientUseRecorder(store: FhirStore): ClientUseRecorder {
  const recorded = new Map<string, number>();
  return async (clientId, at) => {
    const last = recorded.get(clientId);
    if (last !== undefined && at - last < CLIENT_USE_PRECISION_MS) return;
    if (recorded.size >= REMEMBERED) recorded.clear();
    recorded.set(clientId, at);
    await store.admin.noteClientUse(clientId, at, CLIENT_USE_PRECISION_MS);
  };
}

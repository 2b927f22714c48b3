/**
 * The first-party clients the page is told about, looked up at most every 30 seconds (index.html
 * is fetched on every full page load), so a practice created while the server runs appears soon.
 */
import { firstPartyApps } from '../../domain/clients/first-party-app.ts';
import type { Clock } from '../../domain/clock.ts';
import type { FhirStore } from '../../store/store.ts';
import type { WebConfig } from './index-page.ts';

const REFRESH_MS = 30_000;

export function webClients(store: FhirStore, redirectUris: () => readonly string[], now: Clock): () => Promise<Pick<WebConfig, 'practices' | 'redirect_uris'>> {
  let cached: { at: number; value: Promise<Pick<WebConfig, 'practices' | 'redirect_uris'>> } | undefined;
  return () => {
    if (cached && now() - cached.at < REFRESH_MS) return cached.value;
    const uris = [...redirectUris()];
    const value = firstPartyApps(store, uris).then((apps) => ({ practices: apps.map((a) => ({ practice: a.practice.name, client_id: a.clientId })), redirect_uris: uris }));
    cached = { at: now(), value };
    // A failed lookup is not kept: the next page load tries again (this one answers 500).
    value.catch(() => {
      if (cached?.value === value) cached = undefined;
    });
    return value;
  };
}

/**
 * The settings the server itself enforces (the idle time-out of new and refreshed sessions),
 * read from each practice's Organization and kept for a short while: a token refresh should not
 * cost a search, and a changed setting applies within `ttlMs` on every app server.
 */
import type { Clock } from '../clock.ts';
import type { FhirStore } from '../../store/store.ts';
import { findPracticeOrganization } from './practice-organization.ts';
import { readSettings, type PracticeSettings } from './practice-settings.ts';

export const SETTINGS_CACHE_MS = 30_000;

export type PracticeSettingsSource = (tenant: string) => Promise<PracticeSettings>;

export function cachedPracticeSettings(store: FhirStore, clock: Clock, ttlMs = SETTINGS_CACHE_MS): PracticeSettingsSource {
  const cache = new Map<string, { at: number; settings: Promise<PracticeSettings> }>();
  return (tenant) => {
    const now = clock();
    const hit = cache.get(tenant);
    if (hit && now - hit.at < ttlMs) return hit.settings;
    const settings = findPracticeOrganization(store.reader(tenant)).then(readSettings);
    cache.set(tenant, { at: now, settings });
    // A failed read is not kept: the next caller tries again.
    settings.catch(() => cache.delete(tenant));
    return settings;
  };
}

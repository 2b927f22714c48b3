/**
 * Patients this user opened lately, newest first, kept in this browser per user so the search box
 * can offer them when it is focused and empty. Only ids are kept (the names and birth dates are
 * read fresh from the server when shown), so the browser's storage holds no identity of its own.
 */
export const MAX_RECENT_PATIENTS = 8;
const PREFIX = 'heron.recent-patients.';

/** What is used of Web Storage (localStorage in the app; a Map in tests). */
export interface RecentStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function recentPatientsKey(userId: string): string {
  return `${PREFIX}${encodeURIComponent(userId)}`;
}

export function readRecentPatients(storage: RecentStore, userId: string): string[] {
  const text = storage.getItem(recentPatientsKey(userId));
  if (text === null) return [];
  try {
    const ids = JSON.parse(text) as unknown;
    if (Array.isArray(ids)) return ids.filter((id): id is string => typeof id === 'string').slice(0, MAX_RECENT_PATIENTS);
  } catch {
    // A damaged entry reads as no recent patients; the next opened chart rewrites it.
  }
  return [];
}

/** Puts `patientId` first (once) and keeps the newest `MAX_RECENT_PATIENTS`; returns the new list. */
export function rememberRecentPatient(storage: RecentStore, userId: string, patientId: string): string[] {
  const ids = [patientId, ...readRecentPatients(storage, userId).filter((id) => id !== patientId)].slice(0, MAX_RECENT_PATIENTS);
  storage.setItem(recentPatientsKey(userId), JSON.stringify(ids));
  return ids;
}

/**
 * The audit trail screen's filters: kept in the page address (so a view can be bookmarked and
 * shared) and turned into the AuditEvent search parameters (docs/audit.md "Filters"). Days are the
 * user's local days, sent as instants with their offset, so "5 December" means the day the
 * privacy officer lived, not a UTC day.
 */
import { addDays, format, isValid, parseISO } from 'date-fns';

export type AuditSortChoice = 'newest' | 'oldest' | 'user';
export type OutcomeChoice = 'any' | 'success' | 'failure';

export interface AuditFilters {
  /** `yyyy-MM-dd`, inclusive, local days. */
  from?: string;
  to?: string;
  /** A user's id (the AuditEvent agent). */
  user?: string;
  /** A Patient id. */
  patient?: string;
  what: string;
  outcome: OutcomeChoice;
  sort: AuditSortChoice;
}

/** What was done, as the report's `action` (C, R, U, D, E) or `subtype` filters. */
export const WHAT_CHOICES: readonly { id: string; label: string; params: Record<string, string> }[] = [
  { id: 'any', label: 'Anything', params: {} },
  { id: 'read', label: 'Reads', params: { action: 'R' } },
  { id: 'search', label: 'Searches', params: { subtype: 'search-type,search-system' } },
  { id: 'create', label: 'Creates', params: { action: 'C' } },
  { id: 'update', label: 'Changes', params: { action: 'U' } },
  { id: 'delete', label: 'Deletes', params: { action: 'D' } },
  // Break-the-glass and every access it opened are recorded with the purpose emergency treatment.
  { id: 'emergency', label: 'Emergency access', params: { purpose: 'ETREAT' } },
  { id: 'sign-in', label: 'Sign-ins, sign-outs, refused tokens', params: { subtype: 'sign-in,consent,sign-out,sign-out-everywhere,authenticate' } },
  { id: 'other', label: 'Other actions', params: { action: 'E' } },
];

export const OUTCOME_CHOICES: readonly { id: OutcomeChoice; label: string }[] = [
  { id: 'any', label: 'Any outcome' },
  { id: 'success', label: 'Succeeded' },
  { id: 'failure', label: 'Failed or refused' },
];

/**
 * Orders the server pages through with an index (docs/audit.md "Sorting and paging"): the
 * chain's order, time, and user then time. Ordering millions of entries by interaction or
 * outcome has no index to page along, so the screen does not offer it.
 */
export const SORT_CHOICES: readonly { id: AuditSortChoice; label: string; sort?: string }[] = [
  { id: 'newest', label: 'Newest first' },
  { id: 'oldest', label: 'Oldest first', sort: 'date' },
  { id: 'user', label: 'By user, newest first', sort: 'agent,-date' },
];

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** The filters in an address; anything malformed is left out rather than guessed at. */
export function filtersFromUrl(params: URLSearchParams): AuditFilters {
  const day = (name: string) => {
    const v = params.get(name) ?? '';
    return DAY.test(v) && isValid(parseISO(v)) ? v : undefined;
  };
  const id = (name: string) => {
    const v = params.get(name) ?? '';
    return ID.test(v) ? v : undefined;
  };
  const what = params.get('what') ?? 'any';
  const outcome = params.get('outcome') as OutcomeChoice | null;
  const sort = params.get('sort') as AuditSortChoice | null;
  const filters: AuditFilters = {
    what: WHAT_CHOICES.some((c) => c.id === what) ? what : 'any',
    outcome: OUTCOME_CHOICES.some((c) => c.id === outcome) ? outcome! : 'any',
    sort: SORT_CHOICES.some((c) => c.id === sort) ? sort! : 'newest',
  };
  const values = { from: day('from'), to: day('to'), user: id('user'), patient: id('patient') };
  for (const [k, v] of Object.entries(values)) if (v !== undefined) filters[k as 'from'] = v;
  return filters;
}

/** The address's query for these filters: only what differs from the defaults. */
export function filtersToUrl(f: AuditFilters): URLSearchParams {
  const out = new URLSearchParams();
  if (f.from) out.set('from', f.from);
  if (f.to) out.set('to', f.to);
  if (f.user) out.set('user', f.user);
  if (f.patient) out.set('patient', f.patient);
  if (f.what !== 'any') out.set('what', f.what);
  if (f.outcome !== 'any') out.set('outcome', f.outcome);
  if (f.sort !== 'newest') out.set('sort', f.sort);
  return out;
}

/** The start of a local day as a FHIR instant with the local offset (`2026-12-05T00:00:00-05:00`). */
export function startOfLocalDay(day: string): string {
  return format(parseISO(day), "yyyy-MM-dd'T'HH:mm:ssXXX");
}

/** The AuditEvent search for these filters (without paging): `date` as ge the first day's start and lt the day after the last. */
export function searchOf(f: AuditFilters): URLSearchParams {
  const q = new URLSearchParams();
  if (f.from) q.append('date', `ge${startOfLocalDay(f.from)}`);
  if (f.to) q.append('date', `lt${startOfLocalDay(format(addDays(parseISO(f.to), 1), 'yyyy-MM-dd'))}`);
  if (f.user) q.set('agent', f.user);
  if (f.patient) q.set('patient', `Patient/${f.patient}`);
  for (const [k, v] of Object.entries(WHAT_CHOICES.find((c) => c.id === f.what)?.params ?? {})) q.set(k, v);
  if (f.outcome !== 'any') q.set('outcome', f.outcome === 'success' ? '0' : '4');
  const sort = SORT_CHOICES.find((c) => c.id === f.sort)?.sort;
  if (sort) q.set('_sort', sort);
  return q;
}

/** The `_cursor` of a Bundle's `next` link: where the next page starts (docs/audit.md: stable paging). */
export function cursorOf(nextUrl: string | undefined): string | undefined {
  if (nextUrl === undefined) return undefined;
  return new URL(nextUrl).searchParams.get('_cursor') ?? undefined;
}

/** The period the filters cover, in words: "5 Dec 2026", "1 Dec 2026 to 5 Dec 2026", "since …", "until …", "all recorded". */
export function periodText(f: Pick<AuditFilters, 'from' | 'to'>): string {
  const d = (day: string) => format(parseISO(day), 'd MMM yyyy');
  if (f.from && f.to) return f.from === f.to ? d(f.from) : `${d(f.from)} to ${d(f.to)}`;
  if (f.from) return `since ${d(f.from)}`;
  if (f.to) return `until ${d(f.to)}`;
  return 'everything recorded';
}

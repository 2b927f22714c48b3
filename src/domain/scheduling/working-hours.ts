/**
 * When the practice sees patients: the hours patients may book into from the portal
 * (docs/scheduling.md "Free times"). Kept on the practice's Organization as the setting
 * `practice-hours` (decision 0004), read leniently like every setting: absent or unusable, the
 * default applies — Monday to Friday, 08:00 to 17:00, in the server's own time zone (the zone the
 * demo books its day in; a practice elsewhere sets its zone).
 *
 * The server stores no zone anywhere else, so the zone is part of the setting: "09:00" means
 * nothing without it, and daylight-saving changes move the UTC instant, not the clinic's hour.
 */
import type { Extension, Organization } from '@medplum/fhirtypes';
import { issue, type Issue } from '../../fhir/outcome.ts';

export const WORKING_HOURS_URL = 'https://heron.dev/fhir/StructureDefinition/practice-hours';

/** FHIR's day-of-week codes, Sunday first (the index is JavaScript's `getUTCDay()` of the local date). */
export const WEEK_DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type WeekDay = (typeof WEEK_DAYS)[number];

export interface WorkingHours {
  /** IANA time zone, e.g. `America/Chicago`. */
  timeZone: string;
  days: WeekDay[];
  /** `HH:MM`, local. */
  opens: string;
  closes: string;
}

export function defaultWorkingHours(): WorkingHours {
  return { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri'], opens: '08:00', closes: '17:00' };
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)(:00)?$/;

function validZone(zone: string | undefined): zone is string {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const part = (ext: Extension | undefined, url: string) => ext?.extension?.find((e) => e.url === url);

/** The practice's hours, or the default for anything absent or unusable. */
export function readWorkingHours(org: Organization | undefined): WorkingHours {
  const fallback = defaultWorkingHours();
  const ext = org?.extension?.find((e) => e.url === WORKING_HOURS_URL);
  if (ext === undefined || hoursIssues(ext).length > 0) return fallback;
  const days = (ext.extension ?? []).filter((e) => e.url === 'day').map((e) => e.valueCode as WeekDay);
  return {
    timeZone: part(ext, 'timeZone')?.valueCode ?? fallback.timeZone,
    days: days.length > 0 ? WEEK_DAYS.filter((d) => days.includes(d)) : fallback.days,
    opens: (part(ext, 'opens')?.valueTime ?? fallback.opens).slice(0, 5),
    closes: (part(ext, 'closes')?.valueTime ?? fallback.closes).slice(0, 5),
  };
}

/** What is wrong with a `practice-hours` extension (for the Organization write rule); none when valid. */
export function hoursIssues(ext: Extension): Issue[] {
  const out: Issue[] = [];
  const at = (sub: string) => `Organization.extension('${WORKING_HOURS_URL}').extension('${sub}')`;
  const zone = part(ext, 'timeZone');
  if (zone !== undefined && !validZone(zone.valueCode)) out.push(issue('business-rule', 'The time zone must be an IANA zone such as America/Chicago.', at('timeZone')));
  const opens = part(ext, 'opens')?.valueTime;
  const closes = part(ext, 'closes')?.valueTime;
  if (opens !== undefined && !HHMM.test(opens)) out.push(issue('business-rule', 'Opening time is a time of day (HH:MM).', at('opens')));
  if (closes !== undefined && !HHMM.test(closes)) out.push(issue('business-rule', 'Closing time is a time of day (HH:MM).', at('closes')));
  if (opens !== undefined && closes !== undefined && HHMM.test(opens) && HHMM.test(closes) && minutesOf(closes) <= minutesOf(opens)) {
    out.push(issue('business-rule', 'The practice closes after it opens.', at('closes')));
  }
  const bad = (ext.extension ?? []).filter((e) => e.url === 'day' && !WEEK_DAYS.includes(e.valueCode as WeekDay));
  if (bad.length > 0) out.push(issue('business-rule', `Days are ${WEEK_DAYS.join(', ')}.`, at('day')));
  return out;
}

/** The offset (ms, local minus UTC) of `zone` at the instant `utcMs`. */
function offsetAt(zone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(utcMs));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * The UTC instant of a local wall-clock time (`date` `YYYY-MM-DD`, `minutes` after midnight) in
 * `zone`. Two passes settle the offset on either side of a daylight-saving change; a local time
 * that does not exist (skipped in spring) lands an hour later, as clocks read then.
 */
export function zonedInstant(date: string, minutes: number, zone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d) + minutes * 60_000;
  const first = wall - offsetAt(zone, wall);
  return wall - offsetAt(zone, first);
}

/** The local date (`YYYY-MM-DD`) in `zone` at `utcMs`. */
export function localDate(utcMs: number, zone: string): string {
  return new Date(utcMs + offsetAt(zone, utcMs)).toISOString().slice(0, 10);
}

/** Each local day from `from` to `to` (inclusive), as `YYYY-MM-DD`. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** The open period of a local day as UTC epoch ms, or undefined when the practice is closed that day. */
export function openPeriod(hours: WorkingHours, date: string): { start: number; end: number } | undefined {
  const day = WEEK_DAYS[new Date(`${date}T00:00:00Z`).getUTCDay()]!;
  if (!hours.days.includes(day)) return undefined;
  return { start: zonedInstant(date, minutesOf(hours.opens), hours.timeZone), end: zonedInstant(date, minutesOf(hours.closes), hours.timeZone) };
}

/** Whether `[start, end)` lies inside the practice's open hours of one day. */
export function withinHours(hours: WorkingHours, start: number, end: number): boolean {
  const period = openPeriod(hours, localDate(start, hours.timeZone));
  return period !== undefined && start >= period.start && end <= period.end;
}

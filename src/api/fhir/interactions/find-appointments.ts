/**
 * `GET [base]/Appointment/$find?visit-type=[ActivityDefinition id]&start=[date]&end=[date]
 * [&practitioner=Practitioner/[id]][&_count=n]`: free times to book, in the spirit of the
 * Argonaut / Da Vinci scheduling `$find` — a searchset Bundle of `proposed` Appointments (not
 * stored, no id), each a time a clinician is free for a visit of that type: start, end, length,
 * visit type and the clinician. Without `practitioner`, every clinician with an active Schedule.
 *
 * Free is computed, not published (no Slots, docs/scheduling.md): the practice's working hours
 * (`scheduling/working-hours.ts`) minus every appointment of the clinician that holds time,
 * whoever's it is — read from the store as the double-booking rule reads it, so a patient learns
 * that a time is taken and never by whom. Nothing in the answer names another patient.
 *
 * Authorised as a search of Schedule (patients and proxies read the practice's schedules; so does
 * every staff role): the times are about clinicians' schedules, not anyone's record.
 */
import type { ActivityDefinition, Appointment, Bundle, Schedule } from '@medplum/fhirtypes';
import { nowOf, reader, type Ctx } from '../../../domain/context.ts';
import { findPracticeOrganization } from '../../../domain/practice-settings/practice-organization.ts';
import { bookedInterval, HOLDING_STATUSES, holdsTime, MAX_BOOKING_MS, type Interval } from '../../../domain/scheduling/booked-time.ts';
import { freeTimes } from '../../../domain/scheduling/free-times.ts';
import { daysBetween, readWorkingHours, zonedInstant } from '../../../domain/scheduling/working-hours.ts';
import { errors } from '../../../fhir/outcome.ts';
import { parseSearch } from '../../../fhir/search/parse.ts';
import type { StoreReader } from '../../../store/store.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { pageUrl } from './search-bundle.ts';

const PARAMETERS = new Set(['visit-type', 'start', 'end', 'practitioner', '_count']);
/** The longest range asked at once: a month of a clinic's days. */
export const MAX_FIND_DAYS = 31;
const DEFAULT_COUNT = 100;
const MAX_COUNT = 500;
const PAGE = 500;
const MINUTES_PER: Record<string, number> = { min: 1, minute: 1, minutes: 1, h: 60, hour: 60, hours: 60 };
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export async function findAppointments(ctx: Ctx, req: FhirRequest): Promise<FhirResponse> {
  for (const name of req.query.keys()) {
    if (!PARAMETERS.has(name)) throw errors.invalid(`Appointment/$find takes visit-type, start, end, practitioner and _count; not ${name}`, name);
  }
  const one = (name: string): string | undefined => {
    const all = req.query.getAll(name);
    if (all.length > 1) throw errors.invalid(`${name} is given more than once`, name);
    return all[0];
  };
  const from = one('start');
  const to = one('end') ?? from;
  if (from === undefined || !DATE.test(from) || to === undefined || !DATE.test(to)) throw errors.invalid('start and end are dates (YYYY-MM-DD) in the practice\'s time zone', 'start');
  const days = daysBetween(from, to).length;
  if (days < 1) throw errors.invalid('end is on or after start', 'end');
  if (days > MAX_FIND_DAYS) throw errors.invalid(`Ask for at most ${MAX_FIND_DAYS} days at once`, 'end');
  const count = countOf(one('_count'));
  const typeId = one('visit-type')?.replace(/^ActivityDefinition\//, '');
  if (!typeId) throw errors.invalid('visit-type names the visit type (ActivityDefinition id)', 'visit-type');

  const store = reader(ctx);
  const visitType = await store.readCurrent('ActivityDefinition', typeId);
  const definition = visitType?.deleted ? undefined : (visitType?.resource as ActivityDefinition | undefined);
  if (definition === undefined || definition.status !== 'active') throw errors.invalid(`ActivityDefinition/${typeId} is not an active visit type`, 'visit-type');
  const minutes = minutesOf(definition);

  const clinicians = await bookableClinicians(store);
  const wanted = one('practitioner');
  const offered = wanted === undefined ? clinicians : clinicians.filter((c) => c.reference === (wanted.startsWith('Practitioner/') ? wanted : `Practitioner/${wanted}`));
  if (wanted !== undefined && offered.length === 0) throw errors.invalid(`${wanted} takes no appointments (no active Schedule)`, 'practitioner');

  const hours = readWorkingHours(await findPracticeOrganization(store));
  const window: Interval = { start: zonedInstant(from, 0, hours.timeZone), end: zonedInstant(to, 24 * 60, hours.timeZone) };
  const busy = new Map<string, Interval[]>();
  for (const c of offered) busy.set(c.reference, await busyTimes(store, c.reference, window));

  const times = freeTimes({ hours, from, to, minutes, notBefore: nowOf(ctx), busy, limit: count });
  const byRef = new Map(offered.map((c) => [c.reference, c.display]));
  const appointmentType = { ...(definition.code ?? {}), text: definition.title ?? definition.code?.text ?? definition.name };
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    total: times.length,
    link: [{ relation: 'self', url: pageUrl(req.baseUrl, 'Appointment/$find', req.query) }],
    ...(times.length > 0
      ? {
          entry: times.map((t) => ({
            resource: {
              resourceType: 'Appointment',
              status: 'proposed',
              start: new Date(t.start).toISOString(),
              end: new Date(t.end).toISOString(),
              minutesDuration: minutes,
              appointmentType,
              participant: [{ actor: { reference: t.practitioner, ...(byRef.get(t.practitioner) ? { display: byRef.get(t.practitioner) } : {}) }, required: 'required', status: 'needs-action' }],
            } satisfies Appointment,
            search: { mode: 'match' as const },
          })),
        }
      : {}),
  };
  return { status: 200, body: bundle };
}

function countOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_COUNT;
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n < 1 || n > MAX_COUNT) throw errors.invalid(`_count is a whole number from 1 to ${MAX_COUNT}`, '_count');
  return n;
}

/** The visit's length from `timingDuration` (minutes or hours), else 20 minutes, as the web app reads it. */
function minutesOf(definition: ActivityDefinition): number {
  const d = definition.timingDuration;
  const factor = d?.value === undefined ? undefined : MINUTES_PER[d.code ?? d.unit ?? 'min'];
  return factor === undefined ? 20 : Math.max(5, Math.round(d!.value! * factor));
}

/** Clinicians with an active Schedule, in a stable order (by name). */
async function bookableClinicians(store: StoreReader): Promise<Array<{ reference: string; display?: string }>> {
  const { request } = parseSearch(['Schedule'], new URLSearchParams({ active: 'true' }), { strict: true, defaultCount: PAGE, maxCount: PAGE });
  request.total = 'none';
  const found = new Map<string, string | undefined>();
  let cursor: string | undefined;
  do {
    const page = await store.search(cursor === undefined ? request : { ...request, cursor });
    for (const s of page.resources as Schedule[]) {
      for (const actor of s.actor ?? []) {
        if (actor.reference?.startsWith('Practitioner/') && !found.has(actor.reference)) found.set(actor.reference, actor.display);
      }
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return [...found].map(([reference, display]) => ({ reference, display })).sort((a, b) => (a.display ?? a.reference).localeCompare(b.display ?? b.reference));
}

/** The clinician's time-holding appointments overlapping `window`, as intervals only. */
async function busyTimes(store: StoreReader, practitioner: string, window: Interval): Promise<Interval[]> {
  const query = new URLSearchParams([
    ['actor', practitioner],
    ['status', HOLDING_STATUSES.join(',')],
    ['date', `ge${new Date(window.start - MAX_BOOKING_MS).toISOString()}`],
    ['date', `lt${new Date(window.end).toISOString()}`],
  ]);
  const { request } = parseSearch(['Appointment'], query, { strict: true, defaultCount: PAGE, maxCount: PAGE });
  request.total = 'none';
  const out: Interval[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.search(cursor === undefined ? request : { ...request, cursor });
    for (const a of page.resources as Appointment[]) {
      if (!holdsTime(a) || !a.participant?.some((p) => p.actor?.reference === practitioner && p.status !== 'declined')) continue;
      const interval = bookedInterval(a);
      if (interval) out.push(interval);
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return out;
}

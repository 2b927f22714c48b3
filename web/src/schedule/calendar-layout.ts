/**
 * Where appointments go on the day and week grids: minutes from the top of the day, and lanes
 * side by side when appointments overlap (one clinician cannot be double-booked, but the whole
 * practice's day in one column, or data from elsewhere, can overlap). Pure, in local time.
 */
import { addDays, addMinutes, differenceInMinutes, format, isSameDay, startOfDay, startOfWeek } from 'date-fns';

export interface TimeSpan {
  start: Date;
  end: Date;
}

export interface Placed<T> extends TimeSpan {
  item: T;
  /** Minutes from the top of the grid. */
  top: number;
  /** Minutes tall (at least `MIN_HEIGHT`, so a 5-minute visit stays readable and a 24 px target). */
  height: number;
  /** Which of `lanes` columns, from 0. */
  lane: number;
  lanes: number;
}

export const MIN_HEIGHT = 18;
/** The working day shown when nothing is booked outside it. */
export const DAY_START_HOUR = 8;
export const DAY_END_HOUR = 18;

/** The span of an appointment-like item: start to end, or start plus minutes. */
export function spanOf(item: { start?: string; end?: string; minutesDuration?: number }): TimeSpan | undefined {
  if (!item.start) return undefined;
  const start = new Date(item.start);
  if (Number.isNaN(start.getTime())) return undefined;
  const end = item.end ? new Date(item.end) : addMinutes(start, item.minutesDuration ?? 15);
  return Number.isNaN(end.getTime()) ? undefined : { start, end };
}

/** The hours the grid shows for `spans`: at least the working day, widened to whole hours around what is booked. */
export function gridHours(spans: readonly TimeSpan[], day: Date): { from: number; to: number } {
  let from = DAY_START_HOUR;
  let to = DAY_END_HOUR;
  const dayStart = startOfDay(day);
  for (const s of spans) {
    const startMin = Math.max(0, differenceInMinutes(s.start, dayStart));
    const endMin = Math.min(24 * 60, differenceInMinutes(s.end, dayStart));
    from = Math.min(from, Math.floor(startMin / 60));
    to = Math.max(to, Math.ceil(endMin / 60));
  }
  return { from, to };
}

/**
 * Places `items` of one day on a grid starting at `fromHour`: overlapping items share the width in
 * lanes (greedy, in start order); items of other days are left out.
 */
export function layoutDay<T>(items: readonly T[], span: (item: T) => TimeSpan | undefined, day: Date, fromHour: number): Placed<T>[] {
  const top0 = addMinutes(startOfDay(day), fromHour * 60);
  const spans = items
    .map((item) => ({ item, span: span(item) }))
    .filter((x): x is { item: T; span: TimeSpan } => x.span !== undefined && isSameDay(x.span.start, day))
    .sort((a, b) => a.span.start.getTime() - b.span.start.getTime() || b.span.end.getTime() - a.span.end.getTime());
  const placed: Placed<T>[] = [];
  // Clusters of transitively overlapping items share one lane count.
  let cluster: Placed<T>[] = [];
  let clusterEnd = -Infinity;
  const closeCluster = () => {
    const lanes = Math.max(1, ...cluster.map((p) => p.lane + 1));
    for (const p of cluster) p.lanes = lanes;
    cluster = [];
  };
  for (const { item, span: s } of spans) {
    if (s.start.getTime() >= clusterEnd) {
      closeCluster();
      clusterEnd = -Infinity;
    }
    const laneEnds: number[] = [];
    for (const p of cluster) laneEnds[p.lane] = Math.max(laneEnds[p.lane] ?? -Infinity, p.end.getTime());
    let lane = laneEnds.findIndex((end) => end <= s.start.getTime());
    if (lane === -1) lane = laneEnds.length;
    const p: Placed<T> = {
      item,
      start: s.start,
      end: s.end,
      top: differenceInMinutes(s.start, top0),
      height: Math.max(MIN_HEIGHT, differenceInMinutes(s.end, s.start)),
      lane,
      lanes: 1,
    };
    cluster.push(p);
    placed.push(p);
    clusterEnd = Math.max(clusterEnd, s.end.getTime());
  }
  closeCluster();
  return placed;
}

/** Monday to Friday of the week of `day`, plus Saturday and Sunday when something is booked on them. */
export function weekDays(day: Date, spans: readonly TimeSpan[] = []): Date[] {
  const monday = startOfWeek(day, { weekStartsOn: 1 });
  const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
  return days.filter((d, i) => i < 5 || spans.some((s) => isSameDay(s.start, d)));
}

/** The search bounds of a day or of the week around it, in local time with the offset. */
export function searchRange(day: Date, view: 'day' | 'week'): { from: string; to: string } {
  const start = view === 'day' ? startOfDay(day) : startOfWeek(day, { weekStartsOn: 1 });
  const end = addDays(start, view === 'day' ? 1 : 7);
  return { from: localIso(start), to: localIso(end) };
}

/** `2026-12-05T09:00:00-05:00`: an instant written in local time, as the user sees it. */
export function localIso(d: Date): string {
  return format(d, "yyyy-MM-dd'T'HH:mm:ssxxx");
}

/** The next working day, or the previous one, from `day` (skipping weekends). */
export function stepDay(day: Date, direction: 1 | -1): Date {
  let next = addDays(day, direction);
  while (next.getDay() === 0 || next.getDay() === 6) next = addDays(next, direction);
  return next;
}

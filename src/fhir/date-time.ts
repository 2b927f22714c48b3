/**
 * FHIR date, dateTime and instant values as the instants they cover. One parser for search
 * (index and query ranges) and validation (calendar checks the format regexes cannot make,
 * such as 2021-02-30).
 * @see https://hl7.org/fhir/R4/datatypes.html#dateTime
 */

export interface DateRange {
  start: number;
  end: number;
}

const DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The range a FHIR date, dateTime, instant (or search date) covers, or undefined if it is not
 * one. Minutes-only times (`T10:00`) are accepted because search values may use them.
 */
export function dateRange(text: string): DateRange | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = m[2] === undefined ? undefined : Number(m[2]);
  const day = m[3] === undefined ? undefined : Number(m[3]);
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (month === undefined) return { start: utc(year, 0, 1), end: utc(year + 1, 0, 1) - 1 };
  if (day === undefined) return { start: utc(year, month - 1, 1), end: utc(year, month, 1) - 1 };
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  if (m[4] === undefined) {
    const start = utc(year, month - 1, day);
    return { start, end: start + 86_400_000 - 1 };
  }
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? undefined : Number(m[6]);
  if (hour > 23 || minute > 59 || (second !== undefined && second > 60)) return undefined;
  const offset = zoneOffsetMs(m[8]);
  if (offset === undefined) return undefined;
  // A leap second (:60) is folded into the last millisecond of its minute.
  const base = utc(year, month - 1, day, hour, minute) - offset;
  if (second === undefined) return { start: base, end: base + 60_000 - 1 };
  if (second === 60) return { start: base + 59_999, end: base + 59_999 };
  const fraction = m[7];
  if (fraction === undefined) return { start: base + second * 1000, end: base + second * 1000 + 999 };
  const digits = Math.min(fraction.length, 3);
  const unit = 10 ** (3 - digits);
  const start = base + second * 1000 + Number(fraction.slice(0, digits)) * unit;
  return { start, end: start + unit - 1 };
}

function utc(year: number, month: number, day: number, hour = 0, minute = 0): number {
  const d = new Date(Date.UTC(2000, month, day, hour, minute));
  // Date.UTC maps years 0-99 to 1900-1999; set the year explicitly.
  d.setUTCFullYear(year, month, day);
  return d.getTime();
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function zoneOffsetMs(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 14 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes) * 60_000;
}

import type { Extension } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { freeTimes } from './free-times.ts';
import { hoursIssues, readWorkingHours, withinHours, WORKING_HOURS_URL, zonedInstant, type WorkingHours } from './working-hours.ts';

const UTC_HOURS: WorkingHours = { timeZone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri'], opens: '09:00', closes: '10:00' };
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('working hours', () => {
  it('turns a local time into the UTC instant of that zone, across daylight saving', () => {
    expect(iso(zonedInstant('2031-01-06', 9 * 60, 'America/New_York'))).toBe('2031-01-06T14:00:00.000Z');
    expect(iso(zonedInstant('2031-07-07', 9 * 60, 'America/New_York'))).toBe('2031-07-07T13:00:00.000Z');
    expect(iso(zonedInstant('2031-07-07', 9 * 60, 'Asia/Kolkata'))).toBe('2031-07-07T03:30:00.000Z');
    expect(iso(zonedInstant('2031-07-07', 24 * 60, 'UTC'))).toBe('2031-07-08T00:00:00.000Z');
  });

  it('reads the practice setting, and the default for anything unusable', () => {
    const ext = (parts: Extension[]) => ({ resourceType: 'Organization' as const, extension: [{ url: WORKING_HOURS_URL, extension: parts }] });
    const chosen = readWorkingHours(ext([{ url: 'timeZone', valueCode: 'Europe/Paris' }, { url: 'opens', valueTime: '07:30:00' }, { url: 'closes', valueTime: '12:00:00' }, { url: 'day', valueCode: 'sat' }, { url: 'day', valueCode: 'mon' }]));
    expect(chosen).toEqual({ timeZone: 'Europe/Paris', opens: '07:30', closes: '12:00', days: ['mon', 'sat'] });
    const fallback = readWorkingHours(undefined);
    expect(fallback.days).toEqual(['mon', 'tue', 'wed', 'thu', 'fri']);
    expect([fallback.opens, fallback.closes]).toEqual(['08:00', '17:00']);
    expect(readWorkingHours(ext([{ url: 'timeZone', valueCode: 'Mars/Olympus' }]))).toEqual(fallback);
    expect(hoursIssues({ url: WORKING_HOURS_URL, extension: [{ url: 'opens', valueTime: '17:00:00' }, { url: 'closes', valueTime: '08:00:00' }] }).map((i) => i.diagnostics)).toEqual(['The practice closes after it opens.']);
    expect(hoursIssues({ url: WORKING_HOURS_URL, extension: [{ url: 'timeZone', valueCode: 'Nowhere/Else' }, { url: 'day', valueCode: 'funday' }] })).toHaveLength(2);
  });

  it('knows whether a visit lies within one day\'s hours', () => {
    expect(withinHours(UTC_HOURS, at('2031-01-06T09:00:00Z'), at('2031-01-06T10:00:00Z'))).toBe(true);
    expect(withinHours(UTC_HOURS, at('2031-01-06T09:50:00Z'), at('2031-01-06T10:10:00Z'))).toBe(false);
    expect(withinHours(UTC_HOURS, at('2031-01-06T08:45:00Z'), at('2031-01-06T09:05:00Z'))).toBe(false);
    // 2031-01-05 is a Sunday.
    expect(withinHours(UTC_HOURS, at('2031-01-05T09:00:00Z'), at('2031-01-05T09:20:00Z'))).toBe(false);
  });
});

describe('free times', () => {
  const query = { hours: UTC_HOURS, from: '2031-01-06', to: '2031-01-06', minutes: 20, notBefore: 0, limit: 100 };

  it('offers quarter-hour starts within the hours where the whole visit fits', () => {
    const times = freeTimes({ ...query, busy: new Map([['Practitioner/a', []]]) });
    expect(times.map((t) => iso(t.start).slice(11, 16))).toEqual(['09:00', '09:15', '09:30']);
    expect(times.every((t) => t.end - t.start === 20 * 60_000 && t.practitioner === 'Practitioner/a')).toBe(true);
  });

  it('leaves out times overlapping a booking, counting back-to-back as free', () => {
    const busy = new Map([['Practitioner/a', [{ start: at('2031-01-06T09:10:00Z'), end: at('2031-01-06T09:30:00Z') }]]]);
    expect(freeTimes({ ...query, busy }).map((t) => iso(t.start).slice(11, 16))).toEqual(['09:30']);
  });

  it('offers each clinician separately, skips closed days, past times and stops at the limit', () => {
    const busy = new Map([
      ['Practitioner/a', [{ start: at('2031-01-06T09:00:00Z'), end: at('2031-01-06T10:00:00Z') }]],
      ['Practitioner/b', []],
    ]);
    // Sunday to Tuesday: Sunday closed, Monday only b, Tuesday both.
    const times = freeTimes({ ...query, from: '2031-01-05', to: '2031-01-07', busy, notBefore: at('2031-01-06T09:10:00Z') });
    expect(times.map((t) => `${iso(t.start).slice(5, 16)} ${t.practitioner}`)).toEqual([
      '01-06T09:15 Practitioner/b',
      '01-06T09:30 Practitioner/b',
      '01-07T09:00 Practitioner/a',
      '01-07T09:00 Practitioner/b',
      '01-07T09:15 Practitioner/a',
      '01-07T09:15 Practitioner/b',
      '01-07T09:30 Practitioner/a',
      '01-07T09:30 Practitioner/b',
    ]);
    expect(freeTimes({ ...query, from: '2031-01-05', to: '2031-01-07', busy, limit: 2 })).toHaveLength(2);
  });
});

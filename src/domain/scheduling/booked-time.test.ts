import { describe, expect, it } from 'vitest';
import { bookedInterval, bookedPractitioners, holdsTime, overlaps, timeRangeText } from './booked-time.ts';

const at = (hm: string) => Date.parse(`2026-12-05T${hm}:00Z`);

describe('overlaps', () => {
  it('is true when two intervals share an instant, false when one ends as the other starts', () => {
    expect(overlaps({ start: at('09:00'), end: at('09:20') }, { start: at('09:10'), end: at('09:30') })).toBe(true);
    expect(overlaps({ start: at('09:00'), end: at('09:20') }, { start: at('09:20'), end: at('09:40') })).toBe(false);
    expect(overlaps({ start: at('09:20'), end: at('09:40') }, { start: at('09:00'), end: at('09:20') })).toBe(false);
    // One inside the other, either way round.
    expect(overlaps({ start: at('09:00'), end: at('10:00') }, { start: at('09:10'), end: at('09:20') })).toBe(true);
    expect(overlaps({ start: at('09:10'), end: at('09:20') }, { start: at('09:00'), end: at('10:00') })).toBe(true);
    expect(overlaps({ start: at('08:00'), end: at('08:30') }, { start: at('09:00'), end: at('09:30') })).toBe(false);
  });
});

describe('bookedInterval', () => {
  it('reads start and end, or start plus minutesDuration, across offsets', () => {
    expect(bookedInterval({ start: '2026-12-05T09:00:00Z', end: '2026-12-05T09:20:00Z' })).toEqual({ start: at('09:00'), end: at('09:20') });
    expect(bookedInterval({ start: '2026-12-05T04:00:00-05:00', minutesDuration: 40 })).toEqual({ start: at('09:00'), end: at('09:40') });
    expect(bookedInterval({ end: '2026-12-05T09:20:00Z' })).toBeUndefined();
    expect(bookedInterval({ start: '2026-12-05T09:00:00Z' })).toBeUndefined();
  });
});

describe('holdsTime and bookedPractitioners', () => {
  it('cancelled, no-show, entered-in-error and wait-list appointments free the time', () => {
    expect(holdsTime({ status: 'booked' })).toBe(true);
    expect(holdsTime({ status: 'arrived' })).toBe(true);
    for (const status of ['cancelled', 'noshow', 'entered-in-error', 'waitlist'] as const) expect(holdsTime({ status })).toBe(false);
  });

  it('lists each booked Practitioner once, sorted, without those who declined or other actors', () => {
    expect(
      bookedPractitioners({
        participant: [
          { actor: { reference: 'Practitioner/b' }, status: 'accepted' },
          { actor: { reference: 'Patient/p' }, status: 'accepted' },
          { actor: { reference: 'Practitioner/a' }, status: 'accepted' },
          { actor: { reference: 'Practitioner/b' }, status: 'tentative' },
          { actor: { reference: 'Practitioner/c' }, status: 'declined' },
          { actor: { reference: 'Location/room-1' }, status: 'accepted' },
        ],
      }),
    ).toEqual(['Practitioner/a', 'Practitioner/b']);
  });
});

describe('timeRangeText', () => {
  it('says the time as written, with its zone', () => {
    expect(timeRangeText({ start: '2026-12-05T09:00:00-05:00', end: '2026-12-05T09:20:00-05:00' })).toBe('09:00–09:20 on 2026-12-05 (UTC-05:00)');
    expect(timeRangeText({ start: '2026-12-05T09:00:00.000Z', end: '2026-12-05T09:20:00.000Z' })).toBe('09:00–09:20 on 2026-12-05 UTC');
    expect(timeRangeText({ start: '2026-12-05T23:30:00Z', end: '2026-12-06T00:10:00Z' })).toBe('23:30 on 2026-12-05 to 00:10 on 2026-12-06 UTC');
  });
});

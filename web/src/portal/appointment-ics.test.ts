import { describe, expect, it } from 'vitest';
import { appointmentIcs, foldLine, icsText, icsUtc } from './appointment-ics.ts';

const event = {
  uid: 'Appointment/abc-123@heron.example',
  start: new Date('2026-12-15T14:00:00-05:00'),
  end: new Date('2026-12-15T14:20:00-05:00'),
  summary: 'Follow-up with Dr. Dana Whitfield, MD',
  description: 'Reason: knee pain; swelling, since Monday\nBring your medicines',
  location: 'Riverside Family Practice, 1 Main St',
  status: 'CONFIRMED' as const,
  stamp: new Date('2026-12-06T03:04:05.678Z'),
};

describe('appointment .ics', () => {
  it('writes one VEVENT with CRLF lines, a UID, DTSTAMP and UTC times', () => {
    const ics = appointmentIcs(event);
    expect(ics.endsWith('\r\n')).toBe(true);
    // Every line break is CRLF.
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = ics.split('\r\n');
    expect(lines.slice(0, 6)).toEqual(['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Heron EHR//Patient portal//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', 'BEGIN:VEVENT']);
    expect(lines).toContain('UID:Appointment/abc-123@heron.example');
    expect(lines).toContain('DTSTAMP:20261206T030405Z');
    expect(lines).toContain('DTSTART:20261215T190000Z');
    expect(lines).toContain('DTEND:20261215T192000Z');
    expect(lines).toContain('STATUS:CONFIRMED');
    expect(lines).toContain('LOCATION:Riverside Family Practice\\, 1 Main St');
    expect(lines.slice(-3)).toEqual(['END:VEVENT', 'END:VCALENDAR', '']);
  });

  it('escapes text values', () => {
    expect(icsText('a\\b;c,d\ne\r\nf')).toBe('a\\\\b\\;c\\,d\\ne\\nf');
    const ics = appointmentIcs(event);
    // Long lines are folded; unfolded, the value reads back escaped.
    expect(ics.replace(/\r\n /g, '')).toContain('DESCRIPTION:Reason: knee pain\\; swelling\\, since Monday\\nBring your medicines');
  });

  it('folds long lines at 75 octets without splitting a character', () => {
    const long = `SUMMARY:${'é'.repeat(60)}`;
    const folded = foldLine(long);
    const parts = folded.split('\r\n');
    expect(parts.length).toBeGreaterThan(1);
    const encoder = new TextEncoder();
    expect(encoder.encode(parts[0]).length).toBeLessThanOrEqual(75);
    for (const p of parts.slice(1)) {
      expect(p.startsWith(' ')).toBe(true);
      expect(encoder.encode(p).length).toBeLessThanOrEqual(75);
    }
    // Unfolding gives the line back.
    expect(folded.replace(/\r\n /g, '')).toBe(long);
    expect(foldLine('SHORT:1')).toBe('SHORT:1');
  });

  it('writes UTC times to the second', () => {
    expect(icsUtc(new Date('2031-01-06T09:00:00.000Z'))).toBe('20310106T090000Z');
  });
});

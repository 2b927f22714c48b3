import type { Appointment } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { allowedChanges, calendarEvent, cancelledAppointment, movedAppointment, offersSelfService, requestedAppointment, splitAppointments } from './portal-appointments.ts';

const NOW = Date.parse('2031-01-06T12:00:00Z');
const appt = (id: string, start: string, status: Appointment['status']): Appointment & { id: string } => ({
  resourceType: 'Appointment',
  id,
  status,
  start,
  end: new Date(Date.parse(start) + 20 * 60_000).toISOString(),
  appointmentType: { text: 'Follow-up' },
  participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }, { actor: { reference: 'Practitioner/d1', display: 'Dr. Ada' }, status: 'accepted' }],
});
const ON = { book: true, cancel: true, reschedule: true, needsApproval: true };
const OFF = { book: false, cancel: false, reschedule: false, needsApproval: true };

describe('portal appointments', () => {
  it('splits upcoming (soonest first) from past and cancelled (newest first)', () => {
    const all = [appt('later', '2031-01-09T09:00:00Z', 'booked'), appt('soon', '2031-01-07T09:00:00Z', 'proposed'), appt('gone', '2031-01-08T09:00:00Z', 'cancelled'), appt('old', '2031-01-02T09:00:00Z', 'fulfilled'), appt('older', '2030-12-02T09:00:00Z', 'noshow')];
    const { upcoming, past } = splitAppointments(all, NOW);
    expect(upcoming.map((a) => a.id)).toEqual(['soon', 'later']);
    expect(past.map((a) => a.id)).toEqual(['gone', 'old', 'older']);
  });

  it('offers changes only as the setting allows, and only for upcoming ones', () => {
    const booked = appt('b', '2031-01-07T09:00:00Z', 'booked');
    expect(allowedChanges(booked, ON, NOW)).toEqual({ cancel: true, reschedule: true });
    expect(allowedChanges(booked, OFF, NOW)).toEqual({ cancel: false, reschedule: false });
    // One's own request can be withdrawn whenever booking is on.
    expect(allowedChanges(appt('r', '2031-01-07T09:00:00Z', 'proposed'), { ...OFF, book: true }, NOW)).toEqual({ cancel: true, reschedule: false });
    expect(allowedChanges(appt('p', '2031-01-05T09:00:00Z', 'booked'), ON, NOW)).toEqual({ cancel: false, reschedule: false });
    expect(allowedChanges(appt('a', '2031-01-07T09:00:00Z', 'arrived'), ON, NOW)).toEqual({ cancel: false, reschedule: false });
    expect(offersSelfService(OFF)).toBe(false);
    expect(offersSelfService({ ...OFF, cancel: true })).toBe(true);
  });

  it('writes a request as proposed when staff approve, booked when not, with only what a request needs', () => {
    const type = { id: 'fu', code: 'follow-up', title: 'Follow-up', minutes: 20, concept: { text: 'Follow-up' } };
    const time = { start: '2031-01-07T09:00:00.000Z', end: '2031-01-07T09:20:00.000Z', practitioner: 'Practitioner/d1', display: 'Dr. Ada' };
    const asked = requestedAppointment('p1', type, time, '  Sore knee ', ON, '2031-01-06');
    expect(asked).toEqual({
      resourceType: 'Appointment', status: 'proposed', created: '2031-01-06', appointmentType: { text: 'Follow-up' }, description: 'Sore knee', reasonCode: [{ text: 'Sore knee' }],
      start: time.start, end: time.end, minutesDuration: 20,
      participant: [{ actor: { reference: 'Patient/p1' }, required: 'required', status: 'accepted' }, { actor: { reference: 'Practitioner/d1', display: 'Dr. Ada' }, required: 'required', status: 'needs-action' }],
    });
    expect(requestedAppointment('p1', type, time, '', { ...ON, needsApproval: false }, '2031-01-06').status).toBe('booked');
    const moved = movedAppointment(appt('b', '2031-01-08T09:00:00Z', 'booked'), time, ON);
    expect([moved.status, moved.start, moved.participant?.[1]?.status]).toEqual(['proposed', time.start, 'needs-action']);
    expect(cancelledAppointment(appt('b', '2031-01-08T09:00:00Z', 'booked'), ' Away ')).toMatchObject({ status: 'cancelled', cancelationReason: { text: 'Away' } });
  });

  it('makes the calendar entry tentative while waiting for the practice', () => {
    const e = calendarEvent(appt('x1', '2031-01-07T09:00:00Z', 'proposed'), { name: 'Riverside', phone: '555' }, 'heron.example', new Date(NOW));
    expect(e).toMatchObject({ uid: 'appointment-x1@heron.example', status: 'TENTATIVE', summary: 'Follow-up with Dr. Ada at Riverside', location: 'Riverside' });
    expect(e.end.getTime() - e.start.getTime()).toBe(20 * 60_000);
  });
});

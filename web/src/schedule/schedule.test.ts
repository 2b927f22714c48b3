import type { ActivityDefinition, Appointment, Encounter, Location } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { approvedAppointment, cancelledAppointment, checkedInAppointment, declinedAppointment, finishedEncounter, roomingEncounter } from './booking.ts';
import { appointmentFrom, bookingFormOf, validateBooking, type BookingForm } from './booking-form.ts';
import { gridHours, layoutDay, localIso, MIN_HEIGHT, searchRange, spanOf, stepDay, weekDays } from './calendar-layout.ts';
import { encounterOf, occupiedRooms, roomOf, visitStage } from './visit-stage.ts';
import { durationMinutes, visitTypeOf, visitTypes, VISIT_TYPE_SYSTEM } from './visit-types.ts';

const day = new Date(2026, 11, 8); // a Tuesday, local time
const at = (h: number, m: number) => new Date(2026, 11, 8, h, m);
const appt = (h: number, m: number, minutes: number, id = `${h}${m}`): Appointment => ({
  resourceType: 'Appointment',
  id,
  status: 'booked',
  start: localIso(at(h, m)),
  end: localIso(new Date(at(h, m).getTime() + minutes * 60_000)),
  participant: [],
});

const catalogue: ActivityDefinition[] = [
  { resourceType: 'ActivityDefinition', id: 'a', status: 'active', title: 'New patient', code: { coding: [{ system: VISIT_TYPE_SYSTEM, code: 'new-patient' }] }, timingDuration: { value: 40, code: 'min' } },
  { resourceType: 'ActivityDefinition', id: 'b', status: 'active', title: 'Follow-up', code: { coding: [{ system: VISIT_TYPE_SYSTEM, code: 'follow-up' }] }, timingDuration: { value: 20, unit: 'min' } },
  { resourceType: 'ActivityDefinition', id: 'c', status: 'active', title: 'Long procedure', code: { coding: [{ system: VISIT_TYPE_SYSTEM, code: 'long' }] }, timingDuration: { value: 1.5, code: 'h' } },
  { resourceType: 'ActivityDefinition', id: 'd', status: 'active', title: 'Quick check', code: { coding: [{ system: VISIT_TYPE_SYSTEM, code: 'quick' }] } },
];

describe('visit types', () => {
  it('reads each duration in minutes, defaulting when none is given, shortest first', () => {
    const types = visitTypes(catalogue);
    expect(types.map((t) => [t.code, t.minutes])).toEqual([
      ['follow-up', 20],
      ['quick', 20],
      ['new-patient', 40],
      ['long', 90],
    ]);
    expect(durationMinutes({ value: 2, code: 'd' })).toBeUndefined();
    expect(visitTypeOf({ appointmentType: types[2]!.concept }, types)?.title).toBe('New patient');
  });
});

describe('calendar layout', () => {
  it('places appointments by minutes from the top and shares the width only where they overlap', () => {
    const items = [appt(9, 0, 20, 'a'), appt(9, 10, 30, 'b'), appt(9, 20, 20, 'c'), appt(10, 0, 5, 'd'), appt(11, 0, 40, 'e')];
    const placed = layoutDay(items, spanOf, day, 8);
    const byId = Object.fromEntries(placed.map((p) => [p.item.id, p]));
    expect(byId.a).toMatchObject({ top: 60, height: 20, lane: 0, lanes: 2 });
    expect(byId.b).toMatchObject({ top: 70, height: 30, lane: 1, lanes: 2 });
    // c starts when a ends: it reuses a's lane.
    expect(byId.c).toMatchObject({ top: 80, lane: 0, lanes: 2 });
    // Short visits stay readable; a lone appointment has the whole width.
    expect(byId.d).toMatchObject({ top: 120, height: MIN_HEIGHT, lane: 0, lanes: 1 });
    expect(byId.e).toMatchObject({ top: 180, height: 40, lanes: 1 });
  });

  it('leaves out other days, and widens the grid to what is booked', () => {
    const other = { ...appt(9, 0, 20), start: localIso(new Date(2026, 11, 9, 9, 0)), end: localIso(new Date(2026, 11, 9, 9, 20)) };
    expect(layoutDay([other], spanOf, day, 8)).toEqual([]);
    expect(gridHours([], day)).toEqual({ from: 8, to: 18 });
    expect(gridHours([spanOf(appt(7, 30, 20))!, spanOf(appt(18, 10, 30))!], day)).toEqual({ from: 7, to: 19 });
  });

  it('shows Monday to Friday, and a weekend day only when something is booked on it', () => {
    expect(weekDays(day).map((d) => d.getDate())).toEqual([7, 8, 9, 10, 11]);
    const saturday = { start: new Date(2026, 11, 12, 10, 0), end: new Date(2026, 11, 12, 10, 20) };
    expect(weekDays(day, [saturday]).map((d) => d.getDate())).toEqual([7, 8, 9, 10, 11, 12]);
    expect(stepDay(new Date(2026, 11, 11), 1).getDate()).toBe(14);
    expect(stepDay(new Date(2026, 11, 7), -1).getDate()).toBe(4);
    const week = searchRange(day, 'week');
    expect(new Date(week.from).getTime()).toBe(new Date(2026, 11, 7).getTime());
    expect(new Date(week.to).getTime()).toBe(new Date(2026, 11, 14).getTime());
    expect(new Date(searchRange(day, 'day').to).getTime()).toBe(new Date(2026, 11, 9).getTime());
  });
});

describe('booking', () => {
  const types = visitTypes(catalogue);
  const form: BookingForm = {
    patient: { id: 'p1', name: 'Booker, Ann' },
    practitioner: 'Practitioner/dr',
    practitionerName: 'Dr. Dana Whitfield',
    visitType: 'follow-up',
    date: '2026-12-08',
    time: '09:20',
    minutes: '20',
    reason: ' Blood pressure ',
  };

  it('checks every field and refuses a time long past', () => {
    expect(validateBooking(form, types, { now: at(8, 0) })).toEqual({});
    const errors = validateBooking({ ...form, patient: undefined, visitType: 'x', time: '9', minutes: '0' }, types, { now: at(8, 0) });
    expect(Object.keys(errors).sort()).toEqual(['minutes', 'patient', 'time', 'visitType']);
    expect(validateBooking(form, types, { now: at(12, 0) }).date).toMatch(/passed/);
    expect(validateBooking(form, types, { now: at(12, 0), allowPast: true })).toEqual({});
  });

  it('builds the appointment in local time with its type, length and both participants, and reads it back', () => {
    const a = appointmentFrom(form, types);
    expect(a).toMatchObject({ status: 'booked', minutesDuration: 20, description: 'Blood pressure', appointmentType: { text: 'Follow-up' } });
    expect(new Date(a.start!).getTime()).toBe(at(9, 20).getTime());
    expect(new Date(a.end!).getTime()).toBe(at(9, 40).getTime());
    expect(a.participant!.map((p) => p.actor?.reference)).toEqual(['Patient/p1', 'Practitioner/dr']);
    expect(bookingFormOf({ ...a, id: 'x' }, types)).toEqual({ ...form, reason: 'Blood pressure' });
  });

  it('rescheduling keeps what the form does not show', () => {
    const stored: Appointment = { ...appointmentFrom(form, types), id: 'a1', meta: { versionId: '3' }, comment: 'Interpreter: Spanish', participant: [...appointmentFrom(form, types).participant!, { actor: { reference: 'Location/r1' }, status: 'accepted' }] };
    const moved = appointmentFrom({ ...form, time: '10:00', minutes: '40', visitType: 'new-patient' }, types, stored);
    expect(moved).toMatchObject({ id: 'a1', comment: 'Interpreter: Spanish', minutesDuration: 40, appointmentType: { text: 'New patient' } });
    expect(moved.participant!.map((p) => p.actor?.reference)).toEqual(['Patient/p1', 'Practitioner/dr', 'Location/r1']);
    expect(new Date(moved.end!).getTime()).toBe(at(10, 40).getTime());
    expect(cancelledAppointment(stored, ' Called to cancel ')).toMatchObject({ status: 'cancelled', cancelationReason: { text: 'Called to cancel' }, comment: 'Interpreter: Spanish' });
  });
});

describe('visit stage and rooming', () => {
  const a = { ...appt(9, 0, 20, 'a1'), participant: [{ actor: { reference: 'Patient/p1', display: 'Booker, Ann' }, status: 'accepted' as const }, { actor: { reference: 'Practitioner/dr' }, status: 'accepted' as const }] };
  const room: Location = { resourceType: 'Location', id: 'r2', name: 'Exam room 2' };

  it('goes booked → arrived → roomed → seen, and cancelled or no-show stay so', () => {
    expect(visitStage(a)).toBe('booked');
    const arrived = checkedInAppointment(a);
    expect(visitStage(arrived)).toBe('arrived');
    const e = roomingEncounter(arrived, room, at(9, 5), 'Practitioner/nurse');
    expect(visitStage(arrived, e)).toBe('roomed');
    expect(visitStage(arrived, finishedEncounter(e, at(9, 40)))).toBe('seen');
    expect(visitStage({ status: 'fulfilled' })).toBe('seen');
    expect(visitStage({ status: 'cancelled' }, e)).toBe('cancelled');
    expect(visitStage({ status: 'noshow' })).toBe('noshow');
  });

  it("shows a patient's request as requested until the practice books or declines it", () => {
    const asked = { ...a, status: 'proposed' as const, participant: [a.participant[0]!, { ...a.participant[1]!, status: 'needs-action' as const }] };
    expect(visitStage(asked)).toBe('requested');
    const booked = approvedAppointment(asked);
    expect([visitStage(booked), booked.participant?.[1]?.status, booked.participant?.[0]?.status]).toEqual(['booked', 'accepted', 'accepted']);
    const declined = declinedAppointment(asked, ' No slots that week ');
    expect([visitStage(declined), declined.cancelationReason?.text, declined.participant?.[1]?.status]).toEqual(['cancelled', 'No slots that week', 'declined']);
  });

  it('the rooming Encounter links the appointment, the room and the people; finishing frees the room', () => {
    const e = roomingEncounter(checkedInAppointment(a), room, at(9, 5), 'Practitioner/nurse');
    expect(e).toMatchObject({ status: 'in-progress', subject: { reference: 'Patient/p1' }, appointment: [{ reference: 'Appointment/a1' }], class: { code: 'AMB' } });
    expect(e.participant!.map((p) => p.individual?.reference)).toEqual(['Practitioner/dr', 'Practitioner/nurse']);
    expect(roomOf(e)).toBe('Exam room 2');
    const stored: Encounter = { ...e, id: 'e1' };
    expect(encounterOf(a, [stored])?.id).toBe('e1');
    expect(encounterOf({ id: 'other' }, [stored])).toBeUndefined();
    expect([...occupiedRooms([stored])]).toEqual(['Location/r2']);
    expect([...occupiedRooms([finishedEncounter(stored, at(9, 40))])]).toEqual([]);
  });
});

describe('editing the visit-type catalogue', () => {
  it('a new type gets a code from its title, the catalogue topic and its length; an edit keeps the code', async () => {
    const { visitTypeCode, visitTypeDefinition } = await import('./visit-types.ts');
    expect(visitTypeCode(' Same-day sick visit! ')).toBe('same-day-sick-visit');
    expect(visitTypeCode('Évaluation')).toBe('evaluation');
    const created = visitTypeDefinition('Telehealth check', 15);
    expect(created).toMatchObject({ status: 'active', kind: 'Appointment', title: 'Telehealth check', timingDuration: { value: 15, code: 'min' }, topic: [{ coding: [{ system: 'urn:heron:catalogue', code: 'visit-type' }] }] });
    expect(visitTypes([{ ...created, id: 'n' }])[0]).toMatchObject({ code: 'telehealth-check', minutes: 15 });
    const edited = visitTypeDefinition('Video visit', 25, { ...catalogue[1]!, meta: { versionId: '2' } });
    expect(edited).toMatchObject({ id: 'b', meta: { versionId: '2' }, title: 'Video visit', code: { coding: [{ code: 'follow-up', display: 'Video visit' }], text: 'Video visit' }, timingDuration: { value: 25 } });
  });
});

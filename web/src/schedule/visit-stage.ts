/**
 * Where a patient is in today's visit, from the appointment and the visit's Encounter (linked by
 * `Encounter.appointment`): booked → arrived (checked in at the front desk) → roomed (the nurse
 * put them in a room: Encounter in progress) → seen. What each role's home and the schedule show.
 */
import type { Appointment, Encounter } from '@medplum/fhirtypes';

export type VisitStage = 'requested' | 'booked' | 'arrived' | 'roomed' | 'seen' | 'cancelled' | 'noshow';

export const STAGE_LABELS: Record<VisitStage, { label: string; tone: 'neutral' | 'info' | 'success' | 'warning' | 'danger' }> = {
  // A patient's request from the portal, holding its time until the front desk books or declines it.
  requested: { label: 'Requested', tone: 'warning' },
  booked: { label: 'Booked', tone: 'neutral' },
  arrived: { label: 'Arrived', tone: 'info' },
  roomed: { label: 'Roomed', tone: 'success' },
  seen: { label: 'Seen', tone: 'neutral' },
  cancelled: { label: 'Cancelled', tone: 'warning' },
  noshow: { label: 'No-show', tone: 'warning' },
};

export function visitStage(appointment: Pick<Appointment, 'status'>, encounter?: Pick<Encounter, 'status'>): VisitStage {
  switch (appointment.status) {
    case 'cancelled':
    case 'entered-in-error':
      return 'cancelled';
    case 'noshow':
      return 'noshow';
    case 'fulfilled':
      return 'seen';
    case 'proposed':
    case 'pending':
      return 'requested';
  }
  if (encounter?.status === 'finished') return 'seen';
  if (encounter?.status === 'in-progress' || encounter?.status === 'onleave') return 'roomed';
  if (encounter?.status === 'arrived' || encounter?.status === 'triaged') return 'arrived';
  if (appointment.status === 'arrived' || appointment.status === 'checked-in') return 'arrived';
  return 'booked';
}

/** The visit's Encounter among `encounters` (the newest if several name the appointment). */
export function encounterOf(appointment: Pick<Appointment, 'id'>, encounters: readonly Encounter[]): Encounter | undefined {
  const ref = `Appointment/${appointment.id}`;
  const linked = encounters.filter((e) => e.status !== 'cancelled' && e.status !== 'entered-in-error' && e.appointment?.some((a) => a.reference === ref));
  return linked.sort((a, b) => (b.meta?.lastUpdated ?? '').localeCompare(a.meta?.lastUpdated ?? ''))[0];
}

/** The room a visit is in, as its name. */
export function roomOf(encounter: Pick<Encounter, 'location'> | undefined): string | undefined {
  const current = encounter?.location?.find((l) => l.status === 'active') ?? encounter?.location?.[0];
  return current?.location.display;
}

/** The room ids occupied by visits in progress. */
export function occupiedRooms(encounters: readonly Encounter[]): Set<string> {
  const rooms = new Set<string>();
  for (const e of encounters) {
    if (e.status !== 'in-progress') continue;
    for (const l of e.location ?? []) if (l.status !== 'completed' && l.location.reference) rooms.add(l.location.reference);
  }
  return rooms;
}

/** Whether a visit can still be checked in, rescheduled, cancelled or marked no-show. */
export function isOpen(stage: VisitStage): boolean {
  return stage === 'booked';
}

import { useMemo } from 'react';
import { searchRange } from '../../schedule/calendar-layout.ts';
import { visitStage, type VisitStage } from '../../schedule/visit-stage.ts';
import { useVisits, type Visit } from '../schedule/schedule-data.ts';

/** Today's visits (of one clinician, or the practice), each with its stage, and how many are at each stage. */
export function useTodaysVisits(clinician?: string) {
  const today = new Date();
  const range = useMemo(() => searchRange(today, 'day'), [today.toDateString()]);
  const { query, visits } = useVisits(range, clinician);
  const staged = useMemo(() => visits.map((v) => ({ ...v, stage: visitStage(v.appointment, v.encounter) })), [visits]);
  const counts = useMemo(() => {
    const c: Record<VisitStage, number> = { requested: 0, booked: 0, arrived: 0, roomed: 0, seen: 0, cancelled: 0, noshow: 0 };
    for (const v of staged) c[v.stage]++;
    return c;
  }, [staged]);
  return { query, visits: staged, counts };
}

export type StagedVisit = Visit & { stage: VisitStage };

/** When the patient was checked in: the arrived version's time (the appointment's last change). */
export function waitingSince(v: Visit): Date | undefined {
  const at = v.appointment.meta?.lastUpdated;
  return at ? new Date(at) : undefined;
}

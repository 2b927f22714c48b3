import { format } from 'date-fns';
import { Badge } from '../../design/index.ts';
import { ageText, familyFirst, mrn, sexText } from '../../fhir-format/patient.ts';
import { clinicianOf, patientOf } from '../../schedule/booking.ts';
import { roomOf, STAGE_LABELS } from '../../schedule/visit-stage.ts';
import { visitTypeText } from '../../schedule/visit-types.ts';
import type { StagedVisit } from './home-visits.ts';

export const timeCell = (v: StagedVisit) => (v.appointment.start ? format(new Date(v.appointment.start), 'HH:mm') : '—');

export function patientName(v: StagedVisit): string {
  return v.patient ? familyFirst(v.patient.name) : (patientOf(v.appointment)?.display ?? 'Unknown patient');
}

/** Name with what tells patients apart (age, sex, MRN): the identity every row that acts repeats. */
export function PatientCell({ visit: v }: { visit: StagedVisit }) {
  const id = v.patient && mrn(v.patient.identifier);
  return (
    <span className="home-patient">
      <strong>{patientName(v)}</strong>
      {v.patient && (
        <span className="muted">
          {ageText(v.patient.birthDate)}, {sexText(v.patient.gender)}
          {id && ` · MRN ${id}`}
        </span>
      )}
    </span>
  );
}

export const visitCell = (v: StagedVisit) => [visitTypeText(v.appointment), v.appointment.description].filter(Boolean).join(' · ');
export const clinicianCell = (v: StagedVisit) => clinicianOf(v.appointment)?.display ?? '—';

export function StageCell({ visit: v }: { visit: StagedVisit }) {
  const room = v.stage === 'roomed' ? roomOf(v.encounter) : undefined;
  return (
    <span className="home-stage">
      <Badge tone={STAGE_LABELS[v.stage].tone}>{STAGE_LABELS[v.stage].label}</Badge>
      {room && <span> {room}</span>}
    </span>
  );
}

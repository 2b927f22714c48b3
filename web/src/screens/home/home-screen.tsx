import './home.css';
import type { Appointment, Patient } from '@medplum/fhirtypes';
import { format } from 'date-fns';
import { Navigate } from 'react-router';
import { useUser } from '../../auth/auth-context.tsx';
import { canRegister, roleLabel } from '../../app/roles.ts';
import { Badge, ButtonLink, DataTable, EmptyState, Panel, type BadgeTone, type DataColumn } from '../../design/index.ts';
import { ageText, familyFirst, sexText } from '../../fhir-format/patient.ts';
import { included, matches, useSearch } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { FrontDeskHome } from './front-desk-home.tsx';
import { PhysicianHome } from './physician-home.tsx';
import { RoomingHome } from './rooming-home.tsx';

/** Appointment statuses as the front desk and clinicians say them. */
const STATUS: Partial<Record<Appointment['status'], { label: string; tone: BadgeTone }>> = {
  proposed: { label: 'Proposed', tone: 'neutral' },
  pending: { label: 'Pending', tone: 'neutral' },
  booked: { label: 'Booked', tone: 'info' },
  arrived: { label: 'Arrived', tone: 'success' },
  'checked-in': { label: 'Checked in', tone: 'success' },
  fulfilled: { label: 'Seen', tone: 'neutral' },
  cancelled: { label: 'Cancelled', tone: 'warning' },
  noshow: { label: 'No-show', tone: 'warning' },
  waitlist: { label: 'Wait list', tone: 'neutral' },
};

const TITLES: Record<string, string> = {
  physician: 'Today’s patients',
  nurse: 'Rooming',
  'medical-assistant': 'Rooming',
  'front-desk': 'Front desk',
};

/**
 * Home by role (UX-16): a physician sees their patients of the day and where each is, with what
 * needs them (inbox and unsigned-notes counts arrive in `home-slots.tsx`); nurses and medical
 * assistants the rooming queue; the front desk arrivals to check in and registration; other roles
 * the practice's day.
 */
export function HomeScreen() {
  const user = useUser();
  const today = new Date();
  // A practice administrator's day is the administration: what waits for review comes first there.
  if (user.role === 'practice-admin') return <Navigate to="/administration" replace />;
  return (
    <div className="screen">
      <div className="screen-header">
        <h1>{TITLES[user.role] ?? 'Today’s schedule'}</h1>
        <p className="muted">
          {format(today, 'EEEE d MMMM yyyy')} · {roleLabel(user.role)}
        </p>
      </div>
      {user.role === 'physician' ? <PhysicianHome /> : user.role === 'nurse' || user.role === 'medical-assistant' ? <RoomingHome /> : user.role === 'front-desk' ? <FrontDeskHome /> : <PracticeDay />}
    </div>
  );
}

interface Visit {
  appointment: Appointment;
  patient?: Patient;
}

/** Roles without a queue of their own (billing, administrators): the practice's appointments today. */
function PracticeDay() {
  const user = useUser();
  const today = new Date();
  const query = useSearch<Appointment>('Appointment', { date: format(today, 'yyyy-MM-dd'), _include: 'Appointment:patient', _sort: 'date', _count: 100 });
  const columns: DataColumn<Visit>[] = [
    { id: 'time', header: 'Time', cell: (v) => (v.appointment.start ? format(new Date(v.appointment.start), 'HH:mm') : '—') },
    { id: 'patient', header: 'Patient', isRowHeader: true, cell: (v) => (v.patient ? familyFirst(v.patient.name) : 'Unknown patient') },
    { id: 'age', header: 'Age, sex', cell: (v) => (v.patient ? `${ageText(v.patient.birthDate, today)}, ${sexText(v.patient.gender)}` : '') },
    { id: 'reason', header: 'Reason', cell: (v) => v.appointment.description ?? v.appointment.reasonCode?.[0]?.text ?? v.appointment.appointmentType?.text ?? '' },
    { id: 'status', header: 'Status', cell: (v) => <Badge tone={STATUS[v.appointment.status]?.tone ?? 'neutral'}>{STATUS[v.appointment.status]?.label ?? v.appointment.status}</Badge> },
  ];
  return (
    <div className="home-grid">
      <Panel title="Appointments today" flush>
        <QueryView query={query} what="today’s appointments" isEmpty={(b) => matches(b).length === 0} empty={<EmptyState title="No appointments today." />} skeletonLines={6}>
          {(bundle) => {
            const patients = included<Patient>(bundle, 'Patient');
            const visits: Visit[] = matches(bundle).map((a) => {
              const ref = a.participant?.find((p) => p.actor?.reference?.startsWith('Patient/'))?.actor?.reference;
              const patient = ref ? patients.get(ref) : undefined;
              return patient ? { appointment: a, patient } : { appointment: a };
            });
            return <DataTable label="Appointments today" columns={columns} rows={visits} rowKey={(v) => v.appointment.id!} />;
          }}
        </QueryView>
      </Panel>
      <div className="home-side">
        {canRegister(user.role) && (
          <Panel title="Registration" level={2}>
            <ButtonLink href="/register" variant="primary">
              Register a patient
            </ButtonLink>
          </Panel>
        )}
      </div>
    </div>
  );
}

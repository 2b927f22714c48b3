import type { Appointment, Patient } from '@medplum/fhirtypes';
import { format } from 'date-fns';
import { useUser } from '../../auth/auth-context.tsx';
import { canRegister, isClinician, roleLabel } from '../../app/roles.ts';
import { Badge, ButtonLink, DataTable, EmptyState, Panel, type BadgeTone, type DataColumn } from '../../design/index.ts';
import { ageText, familyFirst, sexText } from '../../fhir-format/patient.ts';
import { included, matches, useSearch } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';

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

interface Visit {
  appointment: Appointment;
  patient?: Patient;
}

/**
 * Home by role: physicians and nurses see today's patients; the front desk sees today's schedule.
 * (Part 2 adds the inbox and unsigned-notes counts in the places reserved here.)
 */
export function HomeScreen() {
  const user = useUser();
  const clinician = isClinician(user.role);
  const today = new Date();
  const day = format(today, 'yyyy-MM-dd');
  const query = useSearch<Appointment>('Appointment', { date: day, _include: 'Appointment:patient', _sort: 'date', _count: 100 });
  const columns: DataColumn<Visit>[] = [
    { id: 'time', header: 'Time', cell: (v) => (v.appointment.start ? format(new Date(v.appointment.start), 'HH:mm') : '—') },
    { id: 'patient', header: 'Patient', isRowHeader: true, cell: (v) => (v.patient ? familyFirst(v.patient.name) : 'Unknown patient') },
    { id: 'age', header: 'Age, sex', cell: (v) => (v.patient ? `${ageText(v.patient.birthDate, today)}, ${sexText(v.patient.gender)}` : '') },
    { id: 'reason', header: 'Reason', cell: (v) => v.appointment.description ?? v.appointment.reasonCode?.[0]?.text ?? v.appointment.appointmentType?.text ?? '' },
    { id: 'status', header: 'Status', cell: (v) => <Badge tone={STATUS[v.appointment.status]?.tone ?? 'neutral'}>{STATUS[v.appointment.status]?.label ?? v.appointment.status}</Badge> },
  ];

  return (
    <div className="screen">
      <div className="screen-header">
        <h1>{clinician ? 'Today’s patients' : 'Today’s schedule'}</h1>
        <p className="muted">
          {format(today, 'EEEE d MMMM yyyy')} · {roleLabel(user.role)}
        </p>
      </div>
      <div className="home-grid">
        <Panel title={clinician ? 'Patients to see today' : 'Appointments today'} flush>
          <QueryView
            query={query}
            what="today’s appointments"
            isEmpty={(b) => matches(b).length === 0}
            empty={<EmptyState title="No appointments today.">Find a patient with the search box above.</EmptyState>}
            skeletonLines={6}
          >
            {(bundle) => {
              const patients = included<Patient>(bundle, 'Patient');
              const visits: Visit[] = matches(bundle).map((a) => {
                const ref = a.participant?.find((p) => p.actor?.reference?.startsWith('Patient/'))?.actor?.reference;
                const patient = ref ? patients.get(ref) : undefined;
                return patient ? { appointment: a, patient } : { appointment: a };
              });
              return (
                <DataTable
                  label={clinician ? 'Patients to see today' : 'Appointments today'}
                  columns={columns}
                  rows={visits}
                  rowKey={(v) => v.appointment.id!}
                  rowHref={(v) => (v.patient?.id ? `/patients/${v.patient.id}` : '/')}
                />
              );
            }}
          </QueryView>
        </Panel>
        <div className="home-side">
          {clinician && (
            <Panel title="Needs you" level={2}>
              {/* The places for part 2's counts (inbox, unsigned notes), so the layout does not move when they arrive. */}
              <dl className="home-needs">
                <div>
                  <dt>Inbox</dt>
                  <dd className="muted">Arrives with the inbox</dd>
                </div>
                <div>
                  <dt>Unsigned notes</dt>
                  <dd className="muted">Arrives with visit notes</dd>
                </div>
              </dl>
            </Panel>
          )}
          {canRegister(user.role) && (
            <Panel title="Registration" level={2}>
              <p className="home-register-text">A new patient? Register them; Heron checks for duplicates first.</p>
              <ButtonLink href="/register" variant={clinician ? 'secondary' : 'primary'}>
                Register a patient
              </ButtonLink>
            </Panel>
          )}
        </div>
      </div>
    </div>
  );
}

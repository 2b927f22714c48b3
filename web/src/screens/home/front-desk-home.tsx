import { Button, ButtonLink, DataTable, EmptyState, ErrorState, Panel, type DataColumn } from '../../design/index.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { checkedInAppointment } from '../../schedule/booking.ts';
import { useSaveAppointment } from '../schedule/schedule-data.ts';
import { useTodaysVisits, type StagedVisit } from './home-visits.ts';
import { RequestedAppointmentsPanel } from './requested-appointments.tsx';
import { clinicianCell, PatientCell, patientName, timeCell, visitCell } from './visit-cells.tsx';

/** The front desk's home: today's arrivals to check in (one press each), appointments patients requested, who is checked in, and registration. */
export function FrontDeskHome() {
  const { query, visits, counts } = useTodaysVisits();
  const expected = visits.filter((v) => v.stage === 'booked');
  const here = visits.filter((v) => v.stage === 'arrived' || v.stage === 'roomed');
  const columns: DataColumn<StagedVisit>[] = [
    { id: 'time', header: 'Time', cell: timeCell },
    { id: 'patient', header: 'Patient', isRowHeader: true, cell: (v) => <PatientCell visit={v} /> },
    { id: 'with', header: 'With', cell: clinicianCell },
    { id: 'visit', header: 'Visit', cell: visitCell },
    { id: 'check-in', header: 'Check in', cell: (v) => <CheckIn visit={v} /> },
  ];
  const hereColumns: DataColumn<StagedVisit>[] = [
    { id: 'time', header: 'Time', cell: timeCell },
    { id: 'patient', header: 'Patient', isRowHeader: true, cell: (v) => <PatientCell visit={v} /> },
    { id: 'with', header: 'With', cell: clinicianCell },
  ];
  return (
    <div className="home-grid">
      <div className="home-main">
        <Panel title={`Arrivals${query.isSuccess ? ` (${expected.length} expected)` : ''}`} flush actions={<ButtonLink size="sm" variant="quiet" href="/schedule">Schedule</ButtonLink>}>
          <QueryView query={query} what="today’s arrivals" isEmpty={() => expected.length === 0} empty={<EmptyState title="Nobody else is expected today." />} skeletonLines={6}>
            {() => <DataTable label="Arrivals expected today" columns={columns} rows={expected} rowKey={(v) => v.appointment.id!} />}
          </QueryView>
        </Panel>
        <RequestedAppointmentsPanel />
        <Panel title={`Checked in${query.isSuccess ? ` (${here.length})` : ''}`} flush>
          <QueryView query={query} what="checked-in patients" isEmpty={() => here.length === 0} empty={<EmptyState title="Nobody is checked in yet." />} skeletonLines={3}>
            {() => <DataTable label="Checked in" columns={hereColumns} rows={here} rowKey={(v) => v.appointment.id!} />}
          </QueryView>
        </Panel>
      </div>
      <div className="home-side">
        <Panel title="Registration" level={2}>
          <p className="home-register-text">A new patient? Register them; Heron checks for duplicates first.</p>
          <ButtonLink href="/register" variant="primary">
            Register a patient
          </ButtonLink>
        </Panel>
        <Panel title="Today" level={2}>
          <dl className="home-needs">
            <div>
              <dt>Seen</dt>
              <dd>{query.isSuccess ? counts.seen : '…'}</dd>
            </div>
            <div>
              <dt>No-shows</dt>
              <dd>{query.isSuccess ? counts.noshow : '…'}</dd>
            </div>
            <div>
              <dt>Cancelled</dt>
              <dd>{query.isSuccess ? counts.cancelled : '…'}</dd>
            </div>
          </dl>
          <ButtonLink href="/schedule" variant="secondary">
            Book an appointment
          </ButtonLink>
        </Panel>
      </div>
    </div>
  );
}

function CheckIn({ visit }: { visit: StagedVisit }) {
  const save = useSaveAppointment();
  const name = patientName(visit);
  return (
    <div className="home-room">
      <Button size="sm" variant="primary" isDisabled={save.isPending} aria-label={`Check in ${name}`} onPress={() => save.mutate(checkedInAppointment(visit.appointment))}>
        {save.isPending ? 'Checking in…' : 'Check in'}
      </Button>
      {save.error ? <ErrorState title={`${name} was not checked in`} message={errorMessage(save.error)} advice={errorAdvice(save.error)} /> : null}
    </div>
  );
}

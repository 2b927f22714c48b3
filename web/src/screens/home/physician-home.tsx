import { useUser } from '../../auth/auth-context.tsx';
import { ButtonLink, DataTable, EmptyState, Panel, type DataColumn } from '../../design/index.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { patientOf } from '../../schedule/booking.ts';
import { InboxCountsSlot, UnsignedNotesSlot } from './home-slots.tsx';
import { useTodaysVisits, type StagedVisit } from './home-visits.ts';
import { PatientCell, StageCell, timeCell, visitCell } from './visit-cells.tsx';

/** A physician's day: their patients in time order with where each is (booked, arrived, roomed, seen), and what needs them. */
export function PhysicianHome() {
  const user = useUser();
  const { query, visits, counts } = useTodaysVisits(user.fhirUser?.startsWith('Practitioner/') ? user.fhirUser : undefined);
  const columns: DataColumn<StagedVisit>[] = [
    { id: 'time', header: 'Time', cell: timeCell },
    { id: 'patient', header: 'Patient', isRowHeader: true, cell: (v) => <PatientCell visit={v} /> },
    { id: 'visit', header: 'Visit', cell: visitCell },
    { id: 'status', header: 'Status', cell: (v) => <StageCell visit={v} /> },
  ];
  return (
    <div className="home-grid">
      <Panel title="Patients to see today" flush actions={<ButtonLink size="sm" variant="quiet" href="/schedule">Schedule</ButtonLink>}>
        <QueryView query={query} what="today’s patients" isEmpty={() => visits.length === 0} empty={<EmptyState title="No appointments today.">Find a patient with the search box above.</EmptyState>} skeletonLines={6}>
          {() => (
            <DataTable
              label="Patients to see today"
              columns={columns}
              rows={visits}
              rowKey={(v) => v.appointment.id!}
              rowHref={(v) => `/patients/${patientOf(v.appointment)?.reference?.slice('Patient/'.length) ?? ''}`}
            />
          )}
        </QueryView>
      </Panel>
      <div className="home-side">
        <Panel title="Needs you" level={2}>
          <dl className="home-needs">
            <div>
              <dt>Roomed, waiting for you</dt>
              <dd>{query.isSuccess ? counts.roomed : '…'}</dd>
            </div>
            <div>
              <dt>Checked in, not yet roomed</dt>
              <dd>{query.isSuccess ? counts.arrived : '…'}</dd>
            </div>
            <InboxCountsSlot />
            <UnsignedNotesSlot />
          </dl>
        </Panel>
        <Panel title="Registration" level={2}>
          <p className="home-register-text">A new patient? Register them; Heron checks for duplicates first.</p>
          <ButtonLink href="/register" variant="secondary">
            Register a patient
          </ButtonLink>
        </Panel>
      </div>
    </div>
  );
}

import { differenceInMinutes } from 'date-fns';
import { useState } from 'react';
import { Button, ButtonLink, DataTable, EmptyState, ErrorState, Panel, Select, type DataColumn } from '../../design/index.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { patientOf } from '../../schedule/booking.ts';
import { occupiedRooms } from '../../schedule/visit-stage.ts';
import { useRoomPatient, useRooms } from '../schedule/schedule-data.ts';
import { useTodaysVisits, waitingSince, type StagedVisit } from './home-visits.ts';
import { clinicianCell, PatientCell, patientName, timeCell, visitCell } from './visit-cells.tsx';

const patientIdOf = (v: StagedVisit) => patientOf(v.appointment)?.reference?.slice('Patient/'.length) ?? '';

/**
 * The nurse's and medical assistant's home: the rooming queue (checked-in patients waiting to be
 * roomed, longest wait first) with a one-click "Room" into the first free room, then the patients
 * in rooms with the way to their vitals.
 */
export function RoomingHome() {
  const { query, visits, counts } = useTodaysVisits();
  const { rooms, query: roomsQuery } = useRooms();
  const busy = occupiedRooms(visits.flatMap((v) => (v.encounter ? [v.encounter] : [])));
  const waiting = visits.filter((v) => v.stage === 'arrived').sort((a, b) => (waitingSince(a)?.getTime() ?? 0) - (waitingSince(b)?.getTime() ?? 0));
  const inRooms = visits.filter((v) => v.stage === 'roomed');
  const now = new Date();

  const queueColumns: DataColumn<StagedVisit>[] = [
    { id: 'patient', header: 'Patient', isRowHeader: true, cell: (v) => <PatientCell visit={v} /> },
    { id: 'time', header: 'Booked', cell: timeCell },
    { id: 'wait', header: 'Waiting', cell: (v) => { const since = waitingSince(v); return since ? `${Math.max(0, differenceInMinutes(now, since))} min` : '—'; } },
    { id: 'with', header: 'With', cell: clinicianCell },
    { id: 'visit', header: 'Visit', cell: visitCell },
    { id: 'room', header: 'Room', cell: (v) => <RoomAction visit={v} /> },
  ];
  const roomedColumns: DataColumn<StagedVisit>[] = [
    { id: 'patient', header: 'Patient', isRowHeader: true, cell: (v) => <PatientCell visit={v} /> },
    { id: 'room', header: 'Room', cell: (v) => v.encounter?.location?.[0]?.location.display ?? '—' },
    { id: 'with', header: 'With', cell: clinicianCell },
    { id: 'visit', header: 'Visit', cell: visitCell },
    {
      id: 'next',
      header: 'Next',
      cell: (v) => (
        <ButtonLink size="sm" variant="secondary" href={`/patients/${patientIdOf(v)}/vitals`} aria-label={`Enter vitals for ${patientName(v)}`}>
          Enter vitals
        </ButtonLink>
      ),
    },
  ];

  return (
    <div className="home-grid">
      <div className="home-main">
        <Panel title={`Waiting to be roomed${query.isSuccess ? ` (${waiting.length})` : ''}`} flush>
          <QueryView query={query} what="the rooming queue" isEmpty={() => waiting.length === 0} empty={<EmptyState title="Nobody is waiting.">Patients appear here when the front desk checks them in.</EmptyState>} skeletonLines={4}>
            {() =>
              roomsQuery.isSuccess && rooms.length === 0 ? (
                <EmptyState title="No exam rooms are set up.">A practice administrator adds the rooms (Locations of type exam room).</EmptyState>
              ) : (
                <DataTable label="Waiting to be roomed" columns={queueColumns} rows={waiting} rowKey={(v) => v.appointment.id!} />
              )
            }
          </QueryView>
        </Panel>
        <Panel title={`In rooms${query.isSuccess ? ` (${inRooms.length})` : ''}`} flush>
          <QueryView query={query} what="patients in rooms" isEmpty={() => inRooms.length === 0} empty={<EmptyState title="No patient is in a room." />} skeletonLines={3}>
            {() => <DataTable label="In rooms" columns={roomedColumns} rows={inRooms} rowKey={(v) => v.appointment.id!} />}
          </QueryView>
        </Panel>
      </div>
      <div className="home-side">
        <Panel title="Today" level={2} actions={<ButtonLink size="sm" variant="quiet" href="/schedule">Schedule</ButtonLink>}>
          <dl className="home-needs">
            <div>
              <dt>Still to arrive</dt>
              <dd>{query.isSuccess ? counts.booked : '…'}</dd>
            </div>
            <div>
              <dt>Seen</dt>
              <dd>{query.isSuccess ? counts.seen : '…'}</dd>
            </div>
            <div>
              <dt>Rooms free</dt>
              <dd>{roomsQuery.isSuccess ? `${rooms.filter((r) => !busy.has(`Location/${r.id}`)).length} of ${rooms.length}` : '…'}</dd>
            </div>
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

/**
 * A room picker set to the first free room, and one press to room the patient there. It reads the
 * rooms and today's visits itself (the same cached queries as the page), since a table cell is not
 * drawn again when only the page's other data changes.
 */
function RoomAction({ visit }: { visit: StagedVisit }) {
  const { rooms } = useRooms();
  const { visits } = useTodaysVisits();
  const busy = occupiedRooms(visits.flatMap((v) => (v.encounter ? [v.encounter] : [])));
  const free = rooms.find((r) => !busy.has(`Location/${r.id}`)) ?? rooms[0];
  const [chosen, setChosen] = useState<string | undefined>();
  const roomId = chosen ?? free?.id;
  const roomPatient = useRoomPatient();
  const name = patientName(visit);
  return (
    <div className="home-room">
      <Select
        label={`Room for ${name}`}
        options={rooms.map((r) => ({ id: r.id!, label: `${r.name ?? r.id}${busy.has(`Location/${r.id}`) ? ' (in use)' : ''}` }))}
        selectedKey={roomId ?? null}
        onSelectionChange={setChosen}
      />
      <Button
        size="sm"
        variant="primary"
        isDisabled={roomPatient.isPending || roomId === undefined}
        aria-label={`Room ${name}`}
        onPress={() => {
          const room = rooms.find((r) => r.id === roomId);
          if (room) roomPatient.mutate({ appointment: visit.appointment, room });
        }}
      >
        {roomPatient.isPending ? 'Rooming…' : 'Room'}
      </Button>
      {roomPatient.error ? <ErrorState title={`${name} was not roomed`} message={errorMessage(roomPatient.error)} advice={errorAdvice(roomPatient.error)} /> : null}
    </div>
  );
}

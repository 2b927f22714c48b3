import type { Appointment, Patient } from '@medplum/fhirtypes';
import { format } from 'date-fns';
import { useMemo, useState } from 'react';
import { Button, DataTable, Dialog, EmptyState, ErrorState, Panel, TextField, type DataColumn } from '../../design/index.ts';
import { familyFirst } from '../../fhir-format/patient.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { included, matches, useSearch } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { approvedAppointment, declinedAppointment } from '../../schedule/booking.ts';
import { visitTypeText } from '../../schedule/visit-types.ts';
import { useSaveAppointment } from '../schedule/schedule-data.ts';

interface Requested {
  appointment: Appointment & { id: string };
  patient: string;
}

/**
 * Appointments patients requested in the portal (`proposed`, from now on) for the front desk to
 * book or decline (docs/scheduling.md "Patients booking"): one press to book, a reason to decline,
 * which the patient sees.
 */
export function RequestedAppointmentsPanel() {
  const now = useMemo(() => new Date().toISOString(), []);
  const query = useSearch<Appointment>('Appointment', { status: 'proposed', date: `ge${now}`, _include: 'Appointment:patient', _sort: 'date', _count: 50 });
  const rows = useMemo<Requested[]>(() => {
    const patients = included<Patient>(query.data, 'Patient');
    return matches(query.data).map((a) => {
      const ref = a.participant?.find((p) => p.actor?.reference?.startsWith('Patient/'))?.actor;
      const patient = ref?.reference ? patients.get(ref.reference) : undefined;
      return { appointment: a as Appointment & { id: string }, patient: (patient && familyFirst(patient.name)) || ref?.display || 'Patient' };
    });
  }, [query.data]);
  const columns: DataColumn<Requested>[] = [
    { id: 'when', header: 'When', cell: (r) => (r.appointment.start ? format(new Date(r.appointment.start), 'EEE d MMM, HH:mm') : '—') },
    { id: 'patient', header: 'Patient', isRowHeader: true, cell: (r) => r.patient },
    { id: 'with', header: 'With', cell: (r) => r.appointment.participant?.find((p) => p.actor?.reference?.startsWith('Practitioner/'))?.actor?.display ?? '—' },
    { id: 'visit', header: 'Visit', cell: (r) => [visitTypeText(r.appointment), r.appointment.description].filter(Boolean).join(': ') },
    { id: 'answer', header: 'Answer', cell: (r) => <Answer row={r} /> },
  ];
  return (
    <Panel title={`Requested by patients${query.isSuccess ? ` (${rows.length})` : ''}`} flush>
      <QueryView query={query} what="requested appointments" isEmpty={() => rows.length === 0} empty={<EmptyState title="No requests waiting." />} skeletonLines={2}>
        {() => <DataTable label="Appointments requested by patients" columns={columns} rows={rows} rowKey={(r) => r.appointment.id} />}
      </QueryView>
    </Panel>
  );
}

function Answer({ row }: { row: Requested }) {
  const save = useSaveAppointment();
  const [declining, setDeclining] = useState(false);
  return (
    <div className="home-room">
      <Button size="sm" variant="primary" isDisabled={save.isPending} aria-label={`Book ${row.patient}'s request`} onPress={() => save.mutate(approvedAppointment(row.appointment))}>
        Book
      </Button>
      <Button size="sm" isDisabled={save.isPending} aria-label={`Decline ${row.patient}'s request`} onPress={() => setDeclining(true)}>
        Decline
      </Button>
      {save.error && !declining ? <ErrorState title={`${row.patient}'s request was not answered`} message={errorMessage(save.error)} advice={errorAdvice(save.error)} /> : null}
      {declining && <DeclineDialog row={row} onClose={() => setDeclining(false)} />}
    </div>
  );
}

function DeclineDialog({ row, onClose }: { row: Requested; onClose: () => void }) {
  const save = useSaveAppointment();
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  return (
    <Dialog
      title={`Decline ${row.patient}'s request?`}
      isOpen
      onOpenChange={(open) => !open && onClose()}
      actions={
        <>
          <Button onPress={onClose}>Back</Button>
          <Button variant="danger" isDisabled={save.isPending} onPress={() => (setTried(true), reason.trim() && save.mutate(declinedAppointment(row.appointment, reason), { onSuccess: onClose }))}>
            Decline
          </Button>
        </>
      }
    >
      <TextField label="Reason (the patient sees it)" multiline value={reason} onChange={setReason} isRequired isInvalid={tried && !reason.trim()} errorMessage="Say why, so the patient knows what to do." />
      {save.isError && <ErrorState title="Not declined" message={errorMessage(save.error)} advice={errorAdvice(save.error)} />}
    </Dialog>
  );
}

import '../lists/lists.css';
import './schedule.css';
import type { Location } from '@medplum/fhirtypes';
import { format } from 'date-fns';
import { useState } from 'react';
import { useUser } from '../../auth/auth-context.tsx';
import { Badge, Button, ButtonLink, Dialog, ErrorState, Select, TextField } from '../../design/index.ts';
import { familyFirst } from '../../fhir-format/patient.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { approvedAppointment, cancelledAppointment, checkedInAppointment, clinicianOf, noShowAppointment, patientOf } from '../../schedule/booking.ts';
import { spanOf } from '../../schedule/calendar-layout.ts';
import { occupiedRooms, roomOf, STAGE_LABELS, visitStage } from '../../schedule/visit-stage.ts';
import { visitTypeText } from '../../schedule/visit-types.ts';
import { patientFacts } from './patient-picker.tsx';
import { finishesVisits, schedules, seesVisits, useFinishVisit, useRoomPatient, useSaveAppointment, type Visit } from './schedule-data.ts';

export interface VisitDialogProps {
  visit: Visit;
  rooms: readonly Location[];
  /** Visits in progress today, to offer a free room first. */
  busyRooms: ReturnType<typeof occupiedRooms>;
  onReschedule: () => void;
  onClose: () => void;
}

/**
 * One appointment and what can be done with it next, by its stage and the user's role: check in,
 * reschedule, cancel (with a reason) or mark no-show while booked; room when arrived; enter
 * vitals and end the visit once roomed. Every action names the patient it acts on.
 */
export function VisitDialog({ visit, rooms, busyRooms, onReschedule, onClose }: VisitDialogProps) {
  const user = useUser();
  const { appointment, patient, encounter } = visit;
  const stage = visitStage(appointment, encounter);
  const span = spanOf(appointment);
  const name = patient ? familyFirst(patient.name) : (patientOf(appointment)?.display ?? 'Unknown patient');
  const patientId = patientOf(appointment)?.reference?.slice('Patient/'.length);
  const saveAppointment = useSaveAppointment();
  const room = useRoomPatient();
  const finish = useFinishVisit();
  const [cancelling, setCancelling] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string>();
  const freeRoom = rooms.find((r) => !busyRooms.has(`Location/${r.id}`)) ?? rooms[0];
  const [roomId, setRoomId] = useState<string | undefined>(freeRoom?.id);
  const failed = saveAppointment.error ?? room.error ?? finish.error;
  const pending = saveAppointment.isPending || room.isPending || finish.isPending;

  const act = (run: () => Promise<unknown>) => void run().then(onClose, () => undefined);
  const label = STAGE_LABELS[stage];

  return (
    <Dialog
      title={`${name}: ${span ? format(span.start, 'EEE d MMM, HH:mm') : 'appointment'}`}
      isOpen
      onOpenChange={(open) => !open && onClose()}
      isDismissable={!pending}
      actions={
        <Button variant="secondary" onPress={onClose} isDisabled={pending}>
          Close
        </Button>
      }
    >
      <p className="entry-dialog-patient">
        For <strong>{name}</strong>
        {patient && <> · {patientFacts(patient)}</>}
      </p>
      <dl className="visit-facts">
        <div>
          <dt>When</dt>
          <dd>{span ? `${format(span.start, 'EEEE d MMMM yyyy, HH:mm')}–${format(span.end, 'HH:mm')}` : 'No time'}</dd>
        </div>
        <div>
          <dt>With</dt>
          <dd>{clinicianOf(appointment)?.display ?? '—'}</dd>
        </div>
        <div>
          <dt>Visit</dt>
          <dd>{[visitTypeText(appointment), appointment.description].filter(Boolean).join(' · ') || '—'}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <Badge tone={label.tone}>{label.label}</Badge>
            {stage === 'roomed' && roomOf(encounter) && <> in {roomOf(encounter)}</>}
            {stage === 'cancelled' && appointment.cancelationReason?.text && <> · {appointment.cancelationReason.text}</>}
          </dd>
        </div>
      </dl>
      {failed ? <ErrorState title="Not saved" message={errorMessage(failed)} advice={`${errorAdvice(failed)}`} /> : null}
      {cancelling ? (
        <div className="visit-cancel">
          <TextField label="Why is it cancelled?" value={reason} onChange={setReason} autoFocus isInvalid={reasonError !== undefined} errorMessage={reasonError} description="e.g. patient called, clinician away" />
          <div className="visit-actions">
            <Button variant="quiet" onPress={() => setCancelling(false)} isDisabled={pending}>
              Keep the appointment
            </Button>
            <Button
              variant="danger"
              isDisabled={pending}
              onPress={() => {
                if (!reason.trim()) return setReasonError('Say why, for the record.');
                act(() => saveAppointment.mutateAsync(cancelledAppointment(appointment, reason)));
              }}
            >
              Cancel appointment of {name}
            </Button>
          </div>
        </div>
      ) : (
        <div className="visit-actions">
          {stage === 'requested' && schedules(user.role) && (
            <>
              <Button variant="primary" isDisabled={pending} onPress={() => act(() => saveAppointment.mutateAsync(approvedAppointment(appointment)))}>
                Book request
              </Button>
              <Button isDisabled={pending} onPress={onReschedule}>
                Reschedule
              </Button>
              <Button variant="danger" isDisabled={pending} onPress={() => setCancelling(true)}>
                Decline…
              </Button>
            </>
          )}
          {stage === 'booked' && schedules(user.role) && (
            <>
              <Button variant="primary" isDisabled={pending} onPress={() => act(() => saveAppointment.mutateAsync(checkedInAppointment(appointment)))}>
                Check in
              </Button>
              <Button isDisabled={pending} onPress={onReschedule}>
                Reschedule
              </Button>
              <Button isDisabled={pending} onPress={() => act(() => saveAppointment.mutateAsync(noShowAppointment(appointment)))}>
                No-show
              </Button>
              <Button variant="danger" isDisabled={pending} onPress={() => setCancelling(true)}>
                Cancel…
              </Button>
            </>
          )}
          {stage === 'arrived' && seesVisits(user.role) && rooms.length > 0 && (
            <>
              <Select label="Room" options={rooms.map((r) => ({ id: r.id!, label: `${r.name ?? r.id}${busyRooms.has(`Location/${r.id}`) ? ' (in use)' : ''}` }))} selectedKey={roomId ?? null} onSelectionChange={setRoomId} />
              <Button
                variant="primary"
                isDisabled={pending || roomId === undefined}
                onPress={() => {
                  const chosen = rooms.find((r) => r.id === roomId);
                  if (chosen) act(() => room.mutateAsync({ appointment, room: chosen }));
                }}
              >
                Room {name}
              </Button>
            </>
          )}
          {stage === 'roomed' && seesVisits(user.role) && patientId && (
            <ButtonLink variant="primary" href={`/patients/${patientId}/vitals`}>
              Enter vitals
            </ButtonLink>
          )}
          {(stage === 'roomed' || stage === 'arrived') && finishesVisits(user.role) && (
            <Button isDisabled={pending} onPress={() => act(() => finish.mutateAsync({ appointment, ...(encounter ? { encounter } : {}) }))}>
              Visit done
            </Button>
          )}
          {seesVisits(user.role) && patientId && (
            <ButtonLink variant="quiet" href={`/patients/${patientId}`}>
              Open chart
            </ButtonLink>
          )}
        </div>
      )}
    </Dialog>
  );
}

import '../lists/lists.css';
import type { Appointment, Patient } from '@medplum/fhirtypes';
import { useState } from 'react';
import { DraftNotice } from '../../auth/draft-notice.tsx';
import { useDraft } from '../../auth/use-draft.ts';
import { Button, Dialog, ErrorState, Select, TextField } from '../../design/index.ts';
import { familyFirst } from '../../fhir-format/patient.ts';
import { errorAdvice, errorMessage, FhirApiError } from '../../fhir/fhir-client.ts';
import { useRead } from '../../fhir/queries.ts';
import { appointmentFrom, validateBooking, type BookingErrors, type BookingForm } from '../../schedule/booking-form.ts';
import type { VisitType } from '../../schedule/visit-types.ts';
import { PatientPicker, patientFacts } from './patient-picker.tsx';
import { useSaveAppointment, type Clinician } from './schedule-data.ts';

export interface BookingDialogProps {
  /** The appointment being moved; undefined to book a new one. */
  stored?: Appointment;
  initial: BookingForm;
  types: readonly VisitType[];
  clinicians: readonly Clinician[];
  onClose: () => void;
  onSaved: (saved: Appointment) => void;
}

/**
 * Book or reschedule: patient (searched as in "Find a patient"), clinician, visit type (which
 * sets the length), day and time. What is typed is a draft until saved; a refused double booking
 * shows the server's words (who holds the time) and keeps everything.
 */
export function BookingDialog({ stored, initial, types, clinicians, onClose, onSaved }: BookingDialogProps) {
  const patientId = stored ? initial.patient?.id : undefined;
  const draft = useDraft<BookingForm>(stored ? `appointment.${stored.id}.reschedule` : 'appointment.new', patientId, initial);
  const form = draft.value;
  const set = (patch: Partial<BookingForm>) => draft.setValue({ ...form, ...patch });
  const [errors, setErrors] = useState<BookingErrors>({});
  const save = useSaveAppointment();
  const patient = useRead<Patient>('Patient', form.patient?.id);

  const submit = async () => {
    const found = validateBooking(form, types, { allowPast: stored !== undefined });
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    try {
      const saved = await save.mutateAsync(appointmentFrom(form, types, stored));
      draft.clear();
      onSaved(saved);
    } catch {
      // Shown below from save.error; the form keeps its values.
    }
  };

  const conflict = save.error instanceof FhirApiError && save.error.status === 409;
  const changedMeanwhile = save.error instanceof FhirApiError && save.error.status === 412;
  const typeOptions = types.map((t) => ({ id: t.code, label: `${t.title} · ${t.minutes} min` }));

  return (
    <Dialog
      title={stored ? 'Reschedule appointment' : 'Book an appointment'}
      isOpen
      onOpenChange={(open) => !open && onClose()}
      isDismissable={!save.isPending}
      actions={
        <>
          <Button variant="secondary" onPress={onClose} isDisabled={save.isPending}>
            Cancel
          </Button>
          <Button variant="primary" onPress={() => void submit()} isDisabled={save.isPending}>
            {save.isPending ? 'Saving…' : stored ? 'Move appointment' : 'Book'}
          </Button>
        </>
      }
    >
      <DraftNotice draft={draft} />
      <div className="entry-form booking-form">
        {form.patient ? (
          <div className="booking-patient">
            <p className="entry-dialog-patient">
              For <strong>{patient.data ? familyFirst(patient.data.name) : form.patient.name}</strong>
              {patient.data && <> · {patientFacts(patient.data)}</>}
            </p>
            {!stored && (
              <Button size="sm" variant="quiet" onPress={() => set({ patient: undefined })}>
                Change patient
              </Button>
            )}
          </div>
        ) : (
          <PatientPicker autoFocus onPick={(p) => set({ patient: { id: p.id!, name: familyFirst(p.name) } })} {...(errors.patient ? { errorMessage: errors.patient } : {})} />
        )}
        {save.error ? (
          <ErrorState
            title={conflict ? 'Not booked: that time is taken' : changedMeanwhile ? 'Not saved: someone else changed this appointment' : 'Not saved'}
            message={errorMessage(save.error)}
            advice={conflict ? 'Everything you typed is kept.' : `${errorAdvice(save.error)} What you typed is kept.`}
          />
        ) : null}
        <div className="entry-form-row">
          <Select
            label="Clinician"
            options={clinicians.map((c) => ({ id: c.reference, label: c.name }))}
            selectedKey={form.practitioner || null}
            onSelectionChange={(k) => set({ practitioner: k, practitionerName: clinicians.find((c) => c.reference === k)?.name ?? '' })}
            isInvalid={errors.practitioner !== undefined}
            {...(errors.practitioner ? { errorMessage: errors.practitioner } : {})}
          />
          <Select
            label="Visit type"
            options={typeOptions}
            selectedKey={form.visitType || null}
            onSelectionChange={(k) => set({ visitType: k, minutes: String(types.find((t) => t.code === k)?.minutes ?? form.minutes) })}
            isInvalid={errors.visitType !== undefined}
            {...(errors.visitType ? { errorMessage: errors.visitType } : {})}
          />
        </div>
        <div className="entry-form-row booking-when">
          <TextField label="Day" type="date" value={form.date} onChange={(date) => set({ date })} isInvalid={errors.date !== undefined} errorMessage={errors.date} />
          <TextField label="Time" type="time" value={form.time} onChange={(time) => set({ time })} isInvalid={errors.time !== undefined} errorMessage={errors.time} />
          <TextField label="Minutes" inputMode="numeric" value={form.minutes} onChange={(minutes) => set({ minutes })} isInvalid={errors.minutes !== undefined} errorMessage={errors.minutes} description="From the visit type" />
        </div>
        <TextField label="Reason" value={form.reason} onChange={(reason) => set({ reason })} description="What the visit is for, in the patient’s words or yours." />
      </div>
    </Dialog>
  );
}

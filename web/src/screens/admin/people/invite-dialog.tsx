import { useState } from 'react';
import type { AdminUser, Invitation } from '../../../admin-api/admin-views.ts';
import { fieldErrors } from '../../../admin-api/admin-views.ts';
import { roleLabel } from '../../../app/roles.ts';
import { Button, Dialog, ErrorState, Select, TextField } from '../../../design/index.ts';
import { familyFirst } from '../../../fhir-format/patient.ts';
import { dateText } from '../../../fhir-format/values.ts';
import { errorAdvice, errorMessage } from '../../../fhir/fhir-client.ts';
import { PatientPicker } from '../../schedule/patient-picker.tsx';
import { DialogActions } from '../dialog-actions.tsx';
import { OneTimeSecret } from '../one-time-secret.tsx';
import { isPatientFacing, PATIENT_ROLES, STAFF_ROLES } from './account-words.ts';
import { useAccountChange } from './people-queries.ts';
import { PractitionerPicker } from './practitioner-picker.tsx';

const ROLE_OPTIONS = [...STAFF_ROLES, ...PATIENT_ROLES].map((r) => ({ id: r, label: roleLabel(r) }));

interface InviteForm {
  email: string;
  role: string;
  /** The Practitioner (staff) or Patient (patient, proxy) the account is linked to. */
  linked?: { reference: string; name: string };
}

type Invited = AdminUser & { invitation: Invitation };

/**
 * Inviting a person: email, role and the record they are (a Practitioner for staff; the Patient a
 * patient or proxy account is for, from a FHIR search the administrator may read). The answer's
 * one-time link is shown once, to give to the person.
 */
export function InviteDialog({ isOpen, onClose }: { isOpen: boolean; onClose: () => void }) {
  const [form, setForm] = useState<InviteForm>({ email: '', role: 'nurse' });
  const invite = useAccountChange((admin, body: Record<string, unknown>) => admin.post<Invited>('/users', body));
  const errors = fieldErrors(invite.error);
  const patientFacing = isPatientFacing(form.role);
  const close = () => {
    onClose();
    setForm({ email: '', role: 'nurse' });
    invite.reset();
  };
  const send = () => {
    const linked = form.linked?.reference;
    invite.mutate({
      email: form.email.trim(),
      role: form.role,
      invite: true,
      ...(linked && patientFacing ? { patients: [linked.slice('Patient/'.length)] } : {}),
      ...(linked && !patientFacing ? { fhir_user: linked } : {}),
    });
  };
  const unplaced = errors[''] ?? (invite.isError && Object.keys(errors).length === 0 ? errorMessage(invite.error) : undefined);
  const done = invite.data;

  return (
    <Dialog
      title={done ? 'Invitation ready' : 'Invite a person'}
      isOpen={isOpen}
      onOpenChange={(open) => !open && close()}
      isDismissable={!done}
      actions={<DialogActions done={done !== undefined} onClose={close} onConfirm={send} label={invite.isPending ? 'Inviting…' : 'Invite'} pending={invite.isPending} />}
    >
      {done ? (
        <>
          <p>
            {done.email} is invited as {roleLabel(done.role).toLowerCase()}. Give them this link: it lets them choose their password, works once, and expires on {dateText(done.invitation.expires_at, true)}.
          </p>
          <OneTimeSecret label="Invitation link" value={done.invitation.link} warning="Copy the link now and give it to the person privately. If it is lost, send a new invitation from their account." />
        </>
      ) : (
        <div className="admin-form">
          <TextField label="Email" type="email" value={form.email} onChange={(email) => setForm({ ...form, email })} isRequired isInvalid={errors.email !== undefined} errorMessage={errors.email} autoFocus />
          <Select label="Role" options={ROLE_OPTIONS} selectedKey={form.role} onSelectionChange={(role) => setForm({ ...form, role, ...(isPatientFacing(role) !== patientFacing ? { linked: undefined } : {}) })} isInvalid={errors.role !== undefined} errorMessage={errors.role} />
          {form.linked ? (
            <p className="admin-linked">
              <span>
                {patientFacing ? (form.role === 'proxy' ? 'Acts for' : 'Patient') : 'Signs in as'}: <strong>{form.linked.name}</strong> <span className="muted">({form.linked.reference})</span>
              </span>
              <Button size="sm" variant="quiet" onPress={() => setForm({ ...form, linked: undefined })}>
                Change
              </Button>
            </p>
          ) : patientFacing ? (
            <PatientPicker onPick={(p) => setForm({ ...form, linked: { reference: `Patient/${p.id}`, name: familyFirst(p.name) } })} {...(errors.patients ? { errorMessage: errors.patients } : {})} />
          ) : (
            <PractitionerPicker onPick={(p) => setForm({ ...form, linked: { reference: `Practitioner/${p.id}`, name: familyFirst(p.name) } })} {...(errors.fhir_user ? { errorMessage: errors.fhir_user } : {})} />
          )}
          {!patientFacing && !form.linked && <p className="muted">Optional for staff: the Practitioner record lets the app show their own schedule and sign their notes.</p>}
          {unplaced && <ErrorState title="The invitation was not made" message={unplaced} advice={errorAdvice(invite.error)} />}
        </div>
      )}
    </Dialog>
  );
}

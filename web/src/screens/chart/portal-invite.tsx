import type { Parameters, Patient } from '@medplum/fhirtypes';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useUser } from '../../auth/auth-context.tsx';
import { Button, Dialog, TextField } from '../../design/index.ts';
import { givenFirst } from '../../fhir-format/patient.ts';
import { dateText } from '../../fhir-format/values.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { errorAdvice, errorMessage, FhirApiError } from '../../fhir/fhir-client.ts';

/**
 * The roles that register patients, which the server lets invite them (`Patient/[id]/$portal-invite`,
 * docs/portal.md#activation); the server decides, this only hides a button that would be refused.
 */
const INVITING_ROLES = ['physician', 'resident', 'nurse', 'medical-assistant', 'front-desk'];

interface Invitation {
  link: string;
  expires: string;
  email: string;
  emailed: boolean;
}

const param = (answer: Parameters, name: string) => answer.parameter?.find((p) => p.name === name);

/**
 * "Invite to the portal" in the chart's header, beside its sections: creates the patient's portal account and its
 * one-time link, shown once here (and e-mailed when the server sends mail). The patient confirms
 * their date of birth before choosing a password.
 */
export function PortalInviteButton({ patient }: { patient: Patient }) {
  const user = useUser();
  const [open, setOpen] = useState(false);
  if (!INVITING_ROLES.includes(user.role) || user.patient !== undefined) return null;
  return (
    <>
      {/* Short: it shares the row with the chart's twelve section links at 1366 wide. */}
      <Button size="sm" onPress={() => setOpen(true)}>
        Invite to portal
      </Button>
      {open && <PortalInviteDialog patient={patient} onClose={() => setOpen(false)} />}
    </>
  );
}

function PortalInviteDialog({ patient, onClose }: { patient: Patient; onClose: () => void }) {
  const fhir = useFhir();
  const name = patient.name?.[0]?.given?.[0] ?? givenFirst(patient.name);
  const [email, setEmail] = useState(patient.telecom?.find((t) => t.system === 'email')?.value ?? '');
  const [copied, setCopied] = useState(false);
  const invite = useMutation({
    mutationFn: async (): Promise<Invitation> => {
      const body: Parameters = { resourceType: 'Parameters', parameter: email.trim() ? [{ name: 'email', valueString: email.trim() }] : [] };
      const answer = await fhir.invokeOn<Parameters>('Patient', patient.id!, 'portal-invite', body);
      return { link: param(answer, 'link')?.valueUrl ?? '', expires: param(answer, 'expires')?.valueInstant ?? '', email: param(answer, 'email')?.valueString ?? '', emailed: param(answer, 'emailed')?.valueBoolean === true };
    },
  });
  const made = invite.data;
  const copy = async () => {
    await navigator.clipboard.writeText(made!.link);
    setCopied(true);
  };
  if (made) {
    return (
      <Dialog
        title="Invitation ready"
        isOpen
        onOpenChange={(o) => !o && onClose()}
        actions={
          <>
            <Button onPress={() => void copy()}>{copied ? 'Copied' : 'Copy link'}</Button>
            <Button variant="primary" onPress={onClose}>
              Done
            </Button>
          </>
        }
      >
        <p role="status">{made.emailed ? `The link was e-mailed to ${made.email}.` : `The link was not e-mailed (this server sends no e-mail). Give it to ${name} yourself.`}</p>
        <TextField label="One-time link" value={made.link} isReadOnly />
        <p className="muted">
          It is shown only now. It works once, until {dateText(made.expires)}. {name} confirms their date of birth, then chooses a password.
        </p>
      </Dialog>
    );
  }
  return (
    <Dialog
      title="Invite to the portal"
      isOpen
      onOpenChange={(o) => !o && onClose()}
      actions={
        <>
          <Button onPress={onClose}>Cancel</Button>
          <Button variant="primary" onPress={() => invite.mutate()} isDisabled={invite.isPending}>
            {invite.isPending ? 'Creating…' : 'Create invitation'}
          </Button>
        </>
      }
    >
      <p>
        {name} gets a one-time link to set up their portal account. Before choosing a password they confirm their date of birth
        {patient.birthDate ? '' : ', which is not recorded yet: add it to their details first'}.
      </p>
      <TextField label="E-mail address" type="email" value={email} onChange={setEmail} description="Where the link is sent, and the address they sign in with." />
      {invite.isError && (
        <p className="h-field-error" role="alert">
          {/* A conflict here is an account that exists already: the message says so, the generic advice would not fit. */}
          {errorMessage(invite.error)} {invite.error instanceof FhirApiError && invite.error.status === 409 ? '' : errorAdvice(invite.error)}
        </p>
      )}
    </Dialog>
  );
}

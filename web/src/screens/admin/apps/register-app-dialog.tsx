import { useState } from 'react';
import { Label, Radio, RadioGroup, Text } from 'react-aria-components';
import { fieldErrors } from '../../../admin-api/admin-views.ts';
import { Dialog, ErrorState, TextField } from '../../../design/index.ts';
import { errorAdvice, errorMessage } from '../../../fhir/fhir-client.ts';
import { DialogActions } from '../dialog-actions.tsx';
import { OneTimeSecret } from '../one-time-secret.tsx';
import { useRegisterApp } from './apps-queries.ts';

type Kind = 'app' | 'service';
/** How the client proves itself at the token endpoint. */
type Credential = 'public' | 'secret' | 'keys';

interface AppForm {
  name: string;
  kind: Kind;
  credential: Credential;
  redirectUris: string;
  scope: string;
  jwksUrl: string;
}

const EMPTY: AppForm = { name: '', kind: 'app', credential: 'secret', redirectUris: '', scope: '', jwksUrl: '' };

/** The admin API's body for the form (docs/auth.md, `POST /admin/v1/apps`). */
function registration(form: AppForm): Record<string, unknown> {
  const keys = form.credential === 'keys' ? { jwks_url: form.jwksUrl.trim() } : {};
  if (form.kind === 'service') return { kind: 'service', name: form.name.trim(), scope: form.scope.trim(), ...keys };
  const redirectUris = form.redirectUris.split(/\s+/).filter(Boolean);
  return { kind: 'app', name: form.name.trim(), scope: form.scope.trim(), redirect_uris: redirectUris, ...(form.credential === 'public' ? { public: true } : {}), ...keys };
}

function Choice<T extends string>({ label, value, onChange, options }: { label: string; value: T; onChange: (v: T) => void; options: { id: T; label: string; description: string }[] }) {
  return (
    <RadioGroup className="admin-choice" value={value} onChange={(v) => onChange(v as T)}>
      <Label className="h-field-label">{label}</Label>
      {options.map((o) => (
        <Radio key={o.id} value={o.id} className="admin-choice-option">
          <span className="admin-choice-mark" aria-hidden="true" />
          <span>
            <strong>{o.label}</strong>
            <Text slot="description" className="admin-choice-description">
              {' '}
              {o.description}
            </Text>
          </span>
        </Radio>
      ))}
    </RadioGroup>
  );
}

/**
 * Registering an app people sign in to (public, or confidential with a secret or a JWKS URL) or a
 * backend service (`system/` scopes; a secret or a JWKS URL). The server checks everything and
 * its refusals are shown at the field they name; the secret, when there is one, is shown once.
 */
export function RegisterAppDialog({ isOpen, onClose }: { isOpen: boolean; onClose: () => void }) {
  const [form, setForm] = useState<AppForm>(EMPTY);
  const register = useRegisterApp();
  const errors = fieldErrors(register.error);
  const set = (change: Partial<AppForm>) => setForm({ ...form, ...change });
  const close = () => {
    onClose();
    setForm(EMPTY);
    register.reset();
  };
  const done = register.data;
  const placed = ['name', 'kind', 'scope', 'redirect_uris', 'public', 'jwks_url', 'jwks'];
  const unplaced = Object.entries(errors).filter(([field]) => !placed.includes(field)).map(([, text]) => text).join(' ') || (register.isError && Object.keys(errors).length === 0 ? errorMessage(register.error) : '');
  const credentials: { id: Credential; label: string; description: string }[] = [
    ...(form.kind === 'app' ? [{ id: 'public' as const, label: 'Public', description: 'A browser or phone app that cannot keep a secret; it proves itself with PKCE.' }] : []),
    { id: 'secret', label: 'Client secret', description: 'Heron makes a secret, shown once, for the app’s server to keep.' },
    { id: 'keys', label: 'Public keys', description: 'The app signs its requests (private_key_jwt) with keys published at a URL.' },
  ];

  return (
    <Dialog
      title={done ? `${done.name} is registered` : 'Register an app'}
      isOpen={isOpen}
      onOpenChange={(open) => !open && close()}
      isDismissable={!done}
      actions={<DialogActions done={done !== undefined} onClose={close} onConfirm={() => register.mutate(registration(form))} label={register.isPending ? 'Registering…' : 'Register'} pending={register.isPending} />}
    >
      {done ? (
        <div className="admin-form">
          <TextField label="Client id" value={done.client_id} isReadOnly />
          {done.client_secret ? (
            <OneTimeSecret label="Client secret" value={done.client_secret} warning="Heron keeps only a hash of it. Copy it now into the app’s configuration; if it is lost, register the app again and disable this one." />
          ) : (
            <p>{done.token_endpoint_auth_method === 'none' ? 'A public app has no secret.' : 'It proves itself with its published keys; there is no secret.'}</p>
          )}
        </div>
      ) : (
        <div className="admin-form">
          <TextField label="Name" value={form.name} onChange={(name) => set({ name })} isRequired isInvalid={errors.name !== undefined} errorMessage={errors.name} autoFocus />
          <Choice
            label="Kind"
            value={form.kind}
            onChange={(kind) => set({ kind, credential: kind === 'service' && form.credential === 'public' ? 'secret' : form.credential })}
            options={[
              { id: 'app', label: 'App people sign in to', description: 'A SMART app: users sign in and allow it their access.' },
              { id: 'service', label: 'Backend service', description: 'Connects on its own with system/ scopes, no user.' },
            ]}
          />
          <Choice label="How it proves itself" value={form.credential} onChange={(credential) => set({ credential })} options={credentials} />
          {form.kind === 'app' && (
            <TextField label="Redirect URIs" description="One per line, exactly as the app sends them (https, or http on localhost)." multiline value={form.redirectUris} onChange={(redirectUris) => set({ redirectUris })} isInvalid={errors.redirect_uris !== undefined} errorMessage={errors.redirect_uris} />
          )}
          <TextField
            label="Scopes"
            description={form.kind === 'app' ? 'Separated by spaces, e.g. openid fhirUser launch/patient patient/*.rs' : 'system/ scopes separated by spaces, e.g. system/Patient.rs system/Observation.rs'}
            value={form.scope}
            onChange={(scope) => set({ scope })}
            isInvalid={errors.scope !== undefined}
            errorMessage={errors.scope}
          />
          {form.credential === 'keys' && (
            <TextField label="Key set URL (JWKS)" description="Where the app publishes its public keys (https)." value={form.jwksUrl} onChange={(jwksUrl) => set({ jwksUrl })} isInvalid={errors.jwks_url !== undefined || errors.jwks !== undefined} errorMessage={errors.jwks_url ?? errors.jwks} />
          )}
          {(errors.kind ?? errors.public) && <p className="h-field-error">{errors.kind ?? errors.public}</p>}
          {unplaced && <ErrorState title="The app was not registered" message={unplaced} advice={errorAdvice(register.error)} />}
        </div>
      )}
    </Dialog>
  );
}

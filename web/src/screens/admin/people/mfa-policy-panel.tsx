import { useState } from 'react';
import type { MfaPolicy } from '../../../admin-api/admin-views.ts';
import { Badge, Button, Dialog, ErrorState, Panel } from '../../../design/index.ts';
import { errorAdvice, errorMessage } from '../../../fhir/fhir-client.ts';
import { QueryView } from '../../../fhir/query-view.tsx';
import { DialogActions } from '../dialog-actions.tsx';
import { useAccountChange, useMfaPolicy } from './people-queries.ts';

/** The practice's rule for a second factor at sign-in (`/practice/mfa-policy`), changed after a confirmation. */
export function MfaPolicyPanel() {
  const policy = useMfaPolicy();
  const [asking, setAsking] = useState<boolean | undefined>(undefined);
  const change = useAccountChange((admin, required: boolean) => admin.put<MfaPolicy>('/practice/mfa-policy', { mfa_required: required }));
  const confirm = () => change.mutate(asking!, { onSuccess: () => setAsking(undefined) });

  return (
    <Panel title="Second factor at sign-in">
      <QueryView query={policy} what="the sign-in rule" skeletonLines={1}>
        {(p) => (
          <div className="admin-policy">
            <p>
              <Badge tone={p.mfa_required ? 'success' : 'warning'}>{p.mfa_required ? 'Required' : 'Not required'}</Badge>{' '}
              {p.mfa_required ? 'Everyone signs in with a password and a code from their authenticator app.' : 'People sign in with a password alone unless they set up a second factor.'}
            </p>
            {!p.mfa_available && !p.mfa_required && <p className="muted">This server cannot check a second factor (no secret key is configured), so it cannot be required.</p>}
            <Button variant={p.mfa_required ? 'secondary' : 'primary'} size="sm" isDisabled={!p.mfa_available && !p.mfa_required} onPress={() => setAsking(!p.mfa_required)}>
              {p.mfa_required ? 'Stop requiring a second factor' : 'Require a second factor'}
            </Button>
          </div>
        )}
      </QueryView>
      <Dialog
        title={asking ? 'Require a second factor?' : 'Stop requiring a second factor?'}
        role="alertdialog"
        isOpen={asking !== undefined}
        onOpenChange={(open) => !open && setAsking(undefined)}
        actions={<DialogActions done={false} onClose={() => setAsking(undefined)} onConfirm={confirm} label={asking ? 'Require it' : 'Stop requiring it'} pending={change.isPending} danger={!asking} />}
      >
        <p>
          {asking
            ? 'From their next sign-in, everyone in the practice — you too — enters a code from an authenticator app after their password. Those without one set it up then.'
            : 'People without a second factor will sign in with their password alone. Those who set one up keep using it.'}
        </p>
        {change.isError && <ErrorState title="The rule was not changed" message={errorMessage(change.error)} advice={errorAdvice(change.error)} />}
      </Dialog>
    </Panel>
  );
}

import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { AdminUser, Invitation } from '../../../admin-api/admin-views.ts';
import { roleLabel } from '../../../app/roles.ts';
import { useUser } from '../../../auth/auth-context.tsx';
import { Badge, Button, Dialog, ErrorState, Panel, Select } from '../../../design/index.ts';
import { dateText } from '../../../fhir-format/values.ts';
import { errorAdvice, errorMessage } from '../../../fhir/fhir-client.ts';
import { QueryView } from '../../../fhir/query-view.tsx';
import { DialogActions } from '../dialog-actions.tsx';
import { FactsList } from '../facts-list.tsx';
import { OneTimeSecret } from '../one-time-secret.tsx';
import { isPatientFacing, lastSignInText, mfaText, STAFF_ROLES, STATUS_WORDS } from './account-words.ts';
import { AccountHistory } from './account-history.tsx';
import { useAccount, useAccountChange } from './people-queries.ts';

/** `/administration/people/:userId`: one account, what can be done to it, and who changed it when. */
export function PersonScreen() {
  const { userId } = useParams();
  const account = useAccount(userId);
  return (
    <div className="screen">
      <p>
        <Link to="/administration/people">← All people</Link>
      </p>
      <QueryView query={account} what="the account">
        {(user) => (
          <>
            <div className="screen-header">
              <h1>{user.email}</h1>
              <p className="muted">
                {roleLabel(user.role)} · <Badge tone={STATUS_WORDS[user.status].tone}>{STATUS_WORDS[user.status].label}</Badge>
              </p>
            </div>
            <div className="admin-person-grid">
              <AccountFacts user={user} />
              <AccountActions user={user} />
            </div>
            <AccountHistory userId={user.id} />
          </>
        )}
      </QueryView>
    </div>
  );
}

function AccountFacts({ user }: { user: AdminUser }) {
  const facts: [string, string][] = [
    ['Role', roleLabel(user.role)],
    ['Status', STATUS_WORDS[user.status].label],
    ['Linked record', user.fhir_user ?? 'None'],
    ...(user.patients?.length ? [['Patients', user.patients.map((p) => `Patient/${p}${user.limited_patients?.includes(p) ? ' (limited access)' : ''}`).join(', ')] as [string, string]] : []),
    ['Second factor', mfaText(user)],
    ['Last sign-in', lastSignInText(user)],
    ...(user.locked_until ? [['Sign-in locked until', dateText(user.locked_until, true)] as [string, string]] : []),
    ['Created', dateText(user.created_at, true)],
  ];
  return (
    <Panel title="Account">
      <FactsList facts={facts} />
    </Panel>
  );
}

type Action = 'role' | 'disable' | 'enable' | 'mfa-reset' | 'password-reset' | 'invite';

/** What each change asks before it is made, and what it says after. */
const CONFIRM: Record<Exclude<Action, 'role'>, { title: string; body: string; button: string; danger?: boolean; done: string }> = {
  disable: { title: 'Disable this account?', body: 'They can no longer sign in, and every session they have ends now. You can enable the account again later.', button: 'Disable account', danger: true, done: 'The account is disabled and its sessions have ended.' },
  enable: { title: 'Enable this account?', body: 'They can sign in again with their password. Sessions from before stay ended.', button: 'Enable account', done: 'The account is enabled.' },
  'mfa-reset': { title: 'Reset their second factor?', body: 'Their authenticator and recovery codes stop working and their sessions end. They set up a new authenticator at their next sign-in.', button: 'Reset second factor', danger: true, done: 'The second factor is removed; they set up a new one at their next sign-in.' },
  'password-reset': { title: 'Send a password reset link?', body: 'A link to choose a new password is sent to the person’s email. It works once, for one hour. You will not see it.', button: 'Send link', done: 'A password reset link was sent to them.' },
  invite: { title: 'Send a new invitation?', body: 'A new one-time link is made for the person to choose their password; earlier links still work until they expire.', button: 'Make new link', done: 'A new invitation link was made.' },
};

function AccountActions({ user }: { user: AdminUser }) {
  const me = useUser();
  const self = me.id === user.id;
  const [asking, setAsking] = useState<Action | undefined>();
  const [role, setRole] = useState(user.role);
  const [done, setDone] = useState<string | undefined>();
  const [invitation, setInvitation] = useState<Invitation | undefined>();
  const change = useAccountChange((admin, action: Action) =>
    action === 'role' ? admin.post<AdminUser>(`/users/${user.id}/role`, { role }) : admin.post<AdminUser & { invitation?: Invitation }>(`/users/${user.id}/${action}`),
  );
  const ask = (action: Action) => {
    change.reset();
    setDone(undefined);
    setAsking(action);
  };
  const confirm = () =>
    change.mutate(asking!, {
      onSuccess: (answer) => {
        setDone(asking === 'role' ? `The role is now ${roleLabel(role).toLowerCase()}. Their sessions have ended; they sign in again with the new role’s access.` : CONFIRM[asking!].done);
        const link = (answer as { invitation?: Invitation }).invitation;
        if (link) setInvitation(link);
        else setAsking(undefined);
      },
    });
  const close = () => {
    setAsking(undefined);
    setInvitation(undefined);
  };
  const question = asking === 'role' ? { title: 'Change their role?', body: `${user.email} becomes ${roleLabel(role).toLowerCase()}. Every session they have ends now, so the new role’s access applies at their next sign-in.`, button: 'Change role', danger: false } : asking ? CONFIRM[asking] : undefined;
  const roleChangeable = !self && !isPatientFacing(user.role) && user.status !== 'disabled';

  return (
    <Panel title="Manage">
      {done && (
        <p className="admin-done" role="status">
          {done}
        </p>
      )}
      {self && <p className="muted">This is your own account: another practice administrator changes its role or disables it.</p>}
      {roleChangeable && (
        <div className="admin-role-change">
          <Select label="Role" options={STAFF_ROLES.map((r) => ({ id: r, label: roleLabel(r) }))} selectedKey={role} onSelectionChange={setRole} />
          <Button onPress={() => ask('role')} isDisabled={role === user.role}>
            Change role
          </Button>
        </div>
      )}
      <div className="admin-actions">
        {user.status === 'invited' && <Button onPress={() => ask('invite')}>Send a new invitation</Button>}
        {user.status === 'active' && <Button onPress={() => ask('password-reset')}>Send password reset link</Button>}
        {user.mfa_configured && <Button onPress={() => ask('mfa-reset')}>Reset second factor</Button>}
        {user.status === 'disabled' && <Button onPress={() => ask('enable')}>Enable account</Button>}
        {user.status !== 'disabled' && !self && (
          <Button variant="danger" onPress={() => ask('disable')}>
            Disable account
          </Button>
        )}
      </div>
      <Dialog
        title={invitation ? 'New invitation link' : (question?.title ?? '')}
        role="alertdialog"
        isOpen={asking !== undefined}
        onOpenChange={(open) => !open && close()}
        isDismissable={!invitation}
        actions={<DialogActions done={invitation !== undefined} onClose={close} onConfirm={confirm} label={question?.button ?? ''} pending={change.isPending} danger={question?.danger ?? false} />}
      >
        {invitation ? (
          <OneTimeSecret label="Invitation link" value={invitation.link} warning={`Give it to ${user.email} privately; it works once and expires on ${dateText(invitation.expires_at, true)}.`} />
        ) : (
          <p>{question?.body}</p>
        )}
        {change.isError && <ErrorState title="Nothing was changed" message={errorMessage(change.error)} advice={errorAdvice(change.error)} />}
      </Dialog>
    </Panel>
  );
}

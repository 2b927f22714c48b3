import { useState } from 'react';
import { Link } from 'react-router';
import type { AccountStatus, AdminUser } from '../../../admin-api/admin-views.ts';
import { cursorOf } from '../../../admin-api/admin-views.ts';
import { roleLabel } from '../../../app/roles.ts';
import { Badge, Button, DataTable, EmptyState, Panel, Select, type DataColumn } from '../../../design/index.ts';
import { QueryView } from '../../../fhir/query-view.tsx';
import { lastSignInText, mfaText, PATIENT_ROLES, STAFF_ROLES, STATUS_WORDS } from './account-words.ts';
import { InviteDialog } from './invite-dialog.tsx';
import { MfaPolicyPanel } from './mfa-policy-panel.tsx';
import { useUserPage } from './people-queries.ts';

const ALL = 'all';
const ROLE_OPTIONS = [{ id: ALL, label: 'All roles' }, ...[...STAFF_ROLES, ...PATIENT_ROLES].map((r) => ({ id: r, label: roleLabel(r) }))];
const STATUS_OPTIONS = [{ id: ALL, label: 'Any status' }, ...(Object.keys(STATUS_WORDS) as AccountStatus[]).map((s) => ({ id: s, label: STATUS_WORDS[s].label }))];

const COLUMNS: DataColumn<AdminUser>[] = [
  { id: 'email', header: 'Account', isRowHeader: true, cell: (u) => <Link to={`/administration/people/${u.id}`}>{u.email}</Link> },
  { id: 'role', header: 'Role', cell: (u) => roleLabel(u.role) },
  { id: 'status', header: 'Status', cell: (u) => <Badge tone={STATUS_WORDS[u.status].tone}>{STATUS_WORDS[u.status].label}</Badge> },
  { id: 'last', header: 'Last sign-in', cell: lastSignInText },
  { id: 'mfa', header: 'Second factor', cell: mfaText },
];

/**
 * `/administration/people`: the practice's accounts, a page at a time (the admin API's cursor),
 * filtered by role and status; inviting someone; the practice's second-factor rule. Each account
 * opens on its own page for changes.
 */
export function PeopleScreen() {
  const [role, setRole] = useState(ALL);
  const [status, setStatus] = useState(ALL);
  // The cursors of the pages before this one: "Previous page" goes back without the server keeping state.
  const [cursors, setCursors] = useState<string[]>([]);
  const [inviting, setInviting] = useState(false);
  const filter = { ...(role !== ALL ? { role } : {}), ...(status !== ALL ? { status: status as AccountStatus } : {}) };
  const page = useUserPage(filter, cursors.at(-1));
  const refilter = (set: (v: string) => void) => (v: string) => {
    set(v);
    setCursors([]);
  };

  return (
    <div className="screen">
      <div className="screen-header admin-screen-header">
        <div>
          <h1>People</h1>
          <p className="muted">Everyone who signs in to the practice: staff, patients and proxies.</p>
        </div>
        <Button variant="primary" onPress={() => setInviting(true)}>
          Invite a person
        </Button>
      </div>
      <MfaPolicyPanel />
      <Panel title="Accounts" flush>
        <div className="admin-filters">
          <Select label="Role" options={ROLE_OPTIONS} selectedKey={role} onSelectionChange={refilter(setRole)} />
          <Select label="Status" options={STATUS_OPTIONS} selectedKey={status} onSelectionChange={refilter(setStatus)} />
        </div>
        <QueryView query={page} what="accounts" isEmpty={(p) => p.users.length === 0 && cursors.length === 0} empty={<EmptyState title="No accounts match these filters." />}>
          {(p) => (
            <>
              <DataTable label="Accounts" columns={COLUMNS} rows={p.users} rowKey={(u) => u.id} />
              <div className="admin-paging">
                <Button size="sm" variant="secondary" isDisabled={cursors.length === 0} onPress={() => setCursors((c) => c.slice(0, -1))}>
                  Previous page
                </Button>
                <span className="muted">Page {cursors.length + 1}</span>
                <Button size="sm" variant="secondary" isDisabled={p.next === undefined} onPress={() => setCursors((c) => [...c, cursorOf(p.next)!])}>
                  Next page
                </Button>
              </div>
            </>
          )}
        </QueryView>
      </Panel>
      <InviteDialog isOpen={inviting} onClose={() => setInviting(false)} />
    </div>
  );
}

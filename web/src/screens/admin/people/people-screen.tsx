import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { AccountStatus, AdminUser } from '../../../admin-api/admin-views.ts';
import { roleLabel } from '../../../app/roles.ts';
import { Badge, Button, DataTable, EmptyState, Panel, Select, type DataColumn } from '../../../design/index.ts';
import { QueryView } from '../../../fhir/query-view.tsx';
import { PageButtons, usePages } from '../page-buttons.tsx';
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
  // The filters are in the address, so a link can open the list filtered (the overview's pending invitations).
  const [search, setSearch] = useSearchParams();
  const role = search.get('role') ?? ALL;
  const status = search.get('status') ?? ALL;
  const pages = usePages();
  const [inviting, setInviting] = useState(false);
  const filter = { ...(role !== ALL ? { role } : {}), ...(status !== ALL ? { status: status as AccountStatus } : {}) };
  const page = useUserPage(filter, pages.cursor);
  const refilter = (name: 'role' | 'status') => (value: string) => {
    const next = new URLSearchParams(search);
    if (value === ALL) next.delete(name);
    else next.set(name, value);
    setSearch(next, { replace: true });
    pages.first();
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
          <Select label="Role" options={ROLE_OPTIONS} selectedKey={role} onSelectionChange={refilter('role')} />
          <Select label="Status" options={STATUS_OPTIONS} selectedKey={status} onSelectionChange={refilter('status')} />
        </div>
        <QueryView query={page} what="accounts" isEmpty={(p) => p.users.length === 0 && pages.page === 1} empty={<EmptyState title="No accounts match these filters." />}>
          {(p) => (
            <>
              <DataTable label="Accounts" columns={COLUMNS} rows={p.users} rowKey={(u) => u.id} />
              <PageButtons pages={pages} next={p.next} />
            </>
          )}
        </QueryView>
      </Panel>
      <InviteDialog isOpen={inviting} onClose={() => setInviting(false)} />
    </div>
  );
}

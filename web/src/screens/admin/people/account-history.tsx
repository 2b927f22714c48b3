import type { AuditEvent } from '@medplum/fhirtypes';
import { useMemo } from 'react';
import { roleLabel } from '../../../app/roles.ts';
import { DataTable, EmptyState, Panel, type DataColumn } from '../../../design/index.ts';
import { dateText } from '../../../fhir-format/values.ts';
import { matches } from '../../../fhir/queries.ts';
import { QueryView } from '../../../fhir/query-view.tsx';
import { ACCOUNT_CHANGES, useAccountHistory, useAccountsById } from './people-queries.ts';

const agentOf = (e: AuditEvent) => e.agent[0]?.who?.identifier?.value ?? '';

/** The change recorded in the entry's detail, in words (the admin API keeps what changed as JSON). */
function changeText(e: AuditEvent): string {
  const code = e.subtype?.[0]?.code ?? '';
  const raw = e.entity?.find((x) => x.detail?.[0]?.valueString)?.detail?.[0]?.valueString;
  const detail = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const what = ACCOUNT_CHANGES[code] ?? code;
  if (code === 'admin-user-role' && typeof detail.role === 'string') return `${what}: ${roleLabel(String(detail.previous_role))} → ${roleLabel(detail.role)}`;
  if (code === 'admin-user-create' && typeof detail.role === 'string') return `${what} as ${roleLabel(detail.role).toLowerCase()}${detail.status === 'invited' ? ', invited' : ''}`;
  return what;
}

const COLUMNS: DataColumn<{ event: AuditEvent; by: string }>[] = [
  { id: 'when', header: 'When', isRowHeader: true, cell: (r) => dateText(r.event.recorded, true) },
  { id: 'what', header: 'Change', cell: (r) => changeText(r.event) },
  { id: 'who', header: 'By', cell: (r) => r.by },
];

/** Who changed this account and when, read from the audit trail (AuditEvent `entity=User/…`). */
export function AccountHistory({ userId }: { userId: string }) {
  const history = useAccountHistory(userId);
  const events = matches(history.data);
  const agentIds = useMemo(() => [...new Set(events.map(agentOf).filter(Boolean))], [events]);
  const agents = useAccountsById(agentIds);
  // New row objects once the agents' emails arrive: the table redraws a row only when its object changes.
  const rows = events.map((event) => ({ event, by: agents.get(agentOf(event))?.email ?? agentOf(event) }));
  return (
    <Panel title="Changes to this account" flush>
      <QueryView query={history} what="the account’s changes" isEmpty={(b) => matches(b).length === 0} empty={<EmptyState title="No changes recorded for this account." />}>
        {() => <DataTable label="Changes to this account" columns={COLUMNS} rows={rows} rowKey={(r) => r.event.id!} />}
      </QueryView>
    </Panel>
  );
}

import type { DocumentReference, Practitioner } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { Button, ButtonLink, DataTable, EmptyState, Panel, type DataColumn } from '../../design/index.ts';
import { errorMessage } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { included, matches } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { givenFirst } from '../../fhir-format/patient.ts';
import { dateText } from '../../fhir-format/values.ts';
import { newVisit, signState, visitToday } from '../../notes/note-resource.ts';
import { ChartScreenHeader } from '../chart/chart-screen-header.tsx';
import { SignStateBadge } from './sign-state-badge.tsx';
import { useMe } from './note-new-screen.tsx';
import { useChartNotes, useVisits } from './note-queries.ts';
import './notes.css';

/**
 * `/patients/:patientId/notes`: the chart's visit notes, newest first, each with where it stands
 * (draft, awaiting co-signature, signed) and its addenda under it; "New note" starts one, and
 * today's visit is started here (or with the first note).
 */
export function NotesScreen() {
  const { patientId } = useParams() as { patientId: string };
  const notes = useChartNotes(patientId);
  const authors = included<Practitioner>(notes.data, 'Practitioner');
  const authorOf = (d: DocumentReference) => {
    const a = d.author?.[0];
    const p = a?.reference ? authors.get(a.reference) : undefined;
    return p ? givenFirst(p.name) : (a?.display ?? '');
  };
  const base = `/patients/${encodeURIComponent(patientId)}/notes`;
  const list = matches(notes.data).filter((d) => d.status !== 'entered-in-error');
  const appends = (d: DocumentReference) => d.relatesTo?.find((r) => r.code === 'appends')?.target?.reference;
  // Addenda sit under the note they amend.
  const originals = list.filter((d) => !appends(d) || !list.some((o) => `DocumentReference/${o.id}` === appends(d)));
  const rows = originals.flatMap((d) => [d, ...list.filter((a) => appends(a) === `DocumentReference/${d.id}`)]);
  const columns: DataColumn<DocumentReference>[] = [
    { id: 'date', header: 'Date', cell: (d) => dateText(d.date, true) || '—' },
    { id: 'title', header: 'Note', isRowHeader: true, cell: (d) => (appends(d) ? `↳ Addendum: ${d.description ?? ''}` : (d.description ?? 'Visit note')) },
    { id: 'author', header: 'Author', cell: authorOf },
    { id: 'state', header: 'Status', cell: (d) => <SignStateBadge state={signState(d)} /> },
  ];
  return (
    <div className="screen notes">
      <div className="notes-header">
        <ChartScreenHeader title="Notes" />
        <div className="notes-actions">
          <VisitToday patientId={patientId} />
          <ButtonLink variant="primary" href={`${base}/new`}>
            New note
          </ButtonLink>
        </div>
      </div>
      <Panel title="Visit notes" flush>
        <QueryView query={notes} what="notes" isEmpty={() => rows.length === 0} empty={<EmptyState title="No visit notes in this chart yet.">Start one with “New note”.</EmptyState>} skeletonLines={4}>
          {() => <DataTable label="Visit notes" columns={columns} rows={rows} rowKey={(d) => d.id!} rowHref={(d) => `${base}/${encodeURIComponent(d.id!)}`} />}
        </QueryView>
      </Panel>
    </div>
  );
}

/** Today's visit: in progress since when, or "Start today's visit" (a new note starts one too). */
function VisitToday({ patientId }: { patientId: string }) {
  const visits = useVisits(patientId);
  const me = useMe();
  const fhir = useFhir();
  const queryClient = useQueryClient();
  const start = useMutation({
    mutationFn: () => {
      if (!me) throw new Error('Your account is not linked to a practitioner.');
      return fhir.create(newVisit(patientId, me, new Date().toISOString()));
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['fhir', 'Encounter'] }),
  });
  if (visits.isPending) return null;
  const visit = visitToday(matches(visits.data), new Date());
  if (visit) return <span className="muted">Visit in progress since {dateText(visit.period?.start, true)}</span>;
  return (
    <>
      {start.isError && <span role="alert">Not started: {errorMessage(start.error)}</span>}
      <Button onPress={() => start.mutate()} isDisabled={start.isPending || !me}>
        {start.isPending ? 'Starting…' : 'Start today’s visit'}
      </Button>
    </>
  );
}

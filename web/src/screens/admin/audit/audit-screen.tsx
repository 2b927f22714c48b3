import './audit.css';
import type { AuditEvent, Bundle, Patient } from '@medplum/fhirtypes';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { Badge, Button, DataTable, EmptyState, ErrorState, Panel, Select, TextField, type DataColumn } from '../../../design/index.ts';
import { errorAdvice, errorMessage } from '../../../fhir/fhir-client.ts';
import { useFhir } from '../../../fhir/fhir-context.tsx';
import { matches, useRead } from '../../../fhir/queries.ts';
import { QueryView } from '../../../fhir/query-view.tsx';
import { familyFirst } from '../../../fhir-format/patient.ts';
import { dateText } from '../../../fhir-format/values.ts';
import { auditEntryView, whatText, type AuditEntryView } from '../../../audit-trail/audit-entry.ts';
import { cursorOf, filtersFromUrl, filtersToUrl, OUTCOME_CHOICES, periodText, searchOf, SORT_CHOICES, WHAT_CHOICES, type AuditFilters } from '../../../audit-trail/audit-filters.ts';
import { DisclosuresDialog } from './disclosures-dialog.tsx';
import { EntryDialog } from './entry-dialog.tsx';
import { PatientFilter } from './patient-filter.tsx';
import { usePracticePeople } from './practice-people.ts';
import { VerifyPanel } from './verify-panel.tsx';

/** Entries per page: a screenful to scan, one indexed query per page however long the trail. */
const PAGE_SIZE = 50;
const ANYONE = 'anyone';
const NO_NAMES: ReadonlyMap<string, string> = new Map();

/** A table row with the names it shows: react-aria's table re-renders a row only when its item changes, so the names are part of it. */
interface Row {
  event: AuditEvent;
  view: AuditEntryView;
  who: string;
  /** Whose records, by name where loaded; at most a few, then how many more. */
  patients: string;
}

/** Patients a cell names before "and N more" (a search's entry can concern a whole page of them). */
const PATIENTS_SHOWN = 3;

/**
 * The audit trail for the privacy officer (`/administration/audit`): the AuditEvent report
 * filtered by period, user, patient, action and outcome, in an indexed order, a page at a time
 * along the server's cursor (so the thousandth page costs what the first does); each entry opened
 * in full; the filtered report exported as CSV; the chain verified; and, for one patient, the
 * accounting of disclosures printed. The filters and the open entry are in the address.
 */
export function AuditTrailScreen() {
  const fhir = useFhir();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromUrl(params), [params]);
  const search = useMemo(() => searchOf(filters), [filters]);
  const searchKey = search.toString();
  const entryId = /^[1-9][0-9]{0,15}$/.test(params.get('entry') ?? '') ? params.get('entry')! : undefined;
  // The cursors of the pages before this one; a new filter starts again from the first page.
  const [pages, setPages] = useState<{ key: string; cursors: (string | undefined)[] }>({ key: searchKey, cursors: [undefined] });
  useEffect(() => setPages((p) => (p.key === searchKey ? p : { key: searchKey, cursors: [undefined] })), [searchKey]);
  const cursors = pages.key === searchKey ? pages.cursors : [undefined];
  const cursor = cursors[cursors.length - 1];
  const [printing, setPrinting] = useState(false);

  const people = usePracticePeople();
  const names = people.data?.names ?? NO_NAMES;
  const chosenPatient = useRead<Patient>('Patient', filters.patient);

  const report = useQuery({
    queryKey: ['fhir', 'AuditEvent', 'report', searchKey, cursor],
    queryFn: ({ signal }) => {
      const q = new URLSearchParams(search);
      q.set('_count', String(PAGE_SIZE));
      if (cursor) q.set('_cursor', cursor);
      return fhir.search<AuditEvent>('AuditEvent', q, signal);
    },
  });
  const views = useMemo(() => matches(report.data).map((event) => ({ event, view: auditEntryView(event) })), [report.data]);
  const next = cursorOf(report.data?.link?.find((l) => l.relation === 'next')?.url);

  // The names of the patients the page's rows show (demographics only), a hundred ids per search.
  // With a patient chosen, only that patient (it is why the row is listed): looking up the others'
  // names would itself be recorded as access to their records, over and over, as the officer pages.
  const shownPatients = useCallback((v: AuditEntryView) => (filters.patient && v.patients.includes(filters.patient) ? [filters.patient] : v.patients.slice(0, PATIENTS_SHOWN)), [filters.patient]);
  const pagePatients = useMemo(() => [...new Set(views.flatMap((r) => shownPatients(r.view)))].sort(), [views, shownPatients]);
  const patientNames = useQuery({
    queryKey: ['fhir', 'Patient', 'names', pagePatients],
    enabled: pagePatients.length > 0,
    staleTime: 60_000,
    queryFn: async ({ signal }) => {
      const found: Patient[] = [];
      for (let i = 0; i < pagePatients.length; i += 100) {
        const ids = pagePatients.slice(i, i + 100);
        found.push(...matches(await fhir.search<Patient>('Patient', { _id: ids.join(','), _elements: 'name,identifier,birthDate', _count: ids.length }, signal)));
      }
      return found;
    },
  });
  const patients = useMemo(() => {
    const map = new Map<string, Patient>((patientNames.data ?? []).map((p) => [p.id!, p]));
    if (chosenPatient.data) map.set(chosenPatient.data.id!, chosenPatient.data);
    return map;
  }, [patientNames.data, chosenPatient.data]);
  const rows: Row[] = useMemo(
    () =>
      views.map(({ event, view }) => {
        const named = shownPatients(view).map((p) => (patients.has(p) ? familyFirst(patients.get(p)!.name) : `Patient/${p}`));
        const more = view.patients.length - named.length;
        return { event, view, who: names.get(view.agentId) ?? view.agentId, patients: `${named.join('; ')}${more > 0 ? ` and ${more} ${more === 1 ? 'other' : 'others'}` : ''}` };
      }),
    [views, names, patients, shownPatients],
  );

  const exportCsv = useMutation({
    mutationFn: () => fhir.exportSearch('AuditEvent', search, 'text/csv'),
    onSuccess: (blob) => download(blob, `audit-trail${filters.patient ? `-patient-${filters.patient}` : ''}-${periodText(filters).replace(/[^A-Za-z0-9]+/g, '-')}.csv`),
  });

  const setFilters = (change: Partial<AuditFilters>) => {
    const next = { ...filters, ...change };
    for (const k of Object.keys(change) as (keyof AuditFilters)[]) if (change[k] === undefined) delete next[k];
    setParams(filtersToUrl(next));
  };
  const entryHref = (id: string) => {
    const q = filtersToUrl(filters);
    q.set('entry', id);
    return `/administration/audit?${q.toString()}`;
  };
  const closeEntry = () => setParams(filtersToUrl(filters));

  const userOptions = [
    { id: ANYONE, label: 'Anyone' },
    ...(people.data?.users ?? []).map((u) => ({ id: u.id, label: `${names.get(u.id) ?? u.email} · ${u.role}` })).sort((a, b) => a.label.localeCompare(b.label)),
  ];
  if (filters.user && !userOptions.some((o) => o.id === filters.user)) userOptions.push({ id: filters.user, label: `Id ${filters.user}` });

  const columns: DataColumn<Row>[] = [
    { id: 'when', header: 'When', isRowHeader: true, cell: (r) => <span className="audit-when">{dateText(r.view.recorded, true)}</span> },
    {
      id: 'who',
      header: 'Who',
      cell: (r) => (
        <span className="audit-who">
          {r.who}
          <span className="muted">{r.view.role ?? (r.view.agentKind === 'client' ? 'app or service' : r.view.agentKind)}</span>
        </span>
      ),
    },
    { id: 'what', header: 'What', cell: (r) => whatText(r.view) },
    {
      id: 'patient',
      header: 'Patient',
      cell: (r) => (r.view.patients.length === 0 ? <span className="muted">none</span> : r.patients),
    },
    {
      id: 'outcome',
      header: 'Outcome',
      cell: (r) => (
        <span className="audit-badges">
          {r.view.succeeded ? <Badge tone="success">Succeeded</Badge> : <Badge tone="danger">{r.view.failure ? `Failed: ${r.view.failure}` : 'Failed'}</Badge>}
          {r.view.emergency && <Badge tone="warning">Emergency</Badge>}
        </span>
      ),
    },
  ];

  const filtered = searchKey !== '' && searchKey !== searchOf({ what: 'any', outcome: 'any', sort: filters.sort }).toString();
  const pageNumber = cursors.length;
  return (
    <div className="screen audit-screen">
      <div className="screen-header">
        <h1>Audit trail</h1>
        <p className="muted">Every access to the practice’s records, who made it, from where and why. Opening, exporting and verifying are recorded too.</p>
      </div>
      <Panel
        title="Filters"
        actions={
          filtered ? (
            <Button size="sm" variant="quiet" onPress={() => setParams(filtersToUrl({ what: 'any', outcome: 'any', sort: filters.sort }))}>
              Clear filters
            </Button>
          ) : undefined
        }
      >
        <div className="audit-filters">
          <TextField label="From" type="date" value={filters.from ?? ''} onChange={(v) => setFilters({ from: v || undefined })} />
          <TextField label="To" type="date" value={filters.to ?? ''} onChange={(v) => setFilters({ to: v || undefined })} />
          <Select label="User" options={userOptions} selectedKey={filters.user ?? ANYONE} onSelectionChange={(k) => setFilters({ user: k === ANYONE ? undefined : k })} {...(people.isError ? { description: 'The list of accounts could not be loaded.' } : {})} />
          <Select label="What" options={WHAT_CHOICES} selectedKey={filters.what} onSelectionChange={(k) => setFilters({ what: k })} />
          <Select label="Outcome" options={OUTCOME_CHOICES} selectedKey={filters.outcome} onSelectionChange={(k) => setFilters({ outcome: k as AuditFilters['outcome'] })} />
          <Select label="Order" options={SORT_CHOICES} selectedKey={filters.sort} onSelectionChange={(k) => setFilters({ sort: k as AuditFilters['sort'] })} />
          <PatientFilter patient={chosenPatient.data} loading={chosenPatient.isFetching} onChange={(patient) => setFilters({ patient })} />
        </div>
      </Panel>
      <Panel
        title="Entries"
        flush
        actions={
          <div className="audit-actions">
            {chosenPatient.data && (
              <Button size="sm" variant="secondary" onPress={() => setPrinting(true)}>
                Print accounting of disclosures
              </Button>
            )}
            <Button size="sm" variant="secondary" isDisabled={exportCsv.isPending} onPress={() => exportCsv.mutate()}>
              {exportCsv.isPending ? 'Exporting…' : 'Export CSV'}
            </Button>
          </div>
        }
      >
        <p className="audit-summary muted">
          {periodText(filters)[0]!.toUpperCase() + periodText(filters).slice(1)}
          {filters.patient && ` · ${chosenPatient.data ? familyFirst(chosenPatient.data.name) : 'one patient'}’s record`}
          {filters.user && ` · by ${names.get(filters.user) ?? filters.user}`}
          {filters.what !== 'any' && ` · ${WHAT_CHOICES.find((c) => c.id === filters.what)!.label.toLowerCase()}`}
          {filters.outcome !== 'any' && ` · ${OUTCOME_CHOICES.find((c) => c.id === filters.outcome)!.label.toLowerCase()}`}
          {' · '}
          {SORT_CHOICES.find((c) => c.id === filters.sort)!.label.toLowerCase()}. Export CSV has every matching entry, not only this page.
        </p>
        {exportCsv.isError && <ErrorState title="Could not export the entries" message={errorMessage(exportCsv.error)} advice={errorAdvice(exportCsv.error)} onRetry={() => exportCsv.mutate()} />}
        <QueryView
          query={report}
          what="audit entries"
          skeletonLines={8}
          isEmpty={(b: Bundle<AuditEvent>) => matches(b).length === 0}
          empty={
            <EmptyState title={pageNumber > 1 ? 'No more entries.' : 'No entries match these filters.'}>
              <p>{filtered ? 'Widen the period or clear a filter.' : 'Nothing has been recorded yet.'}</p>
            </EmptyState>
          }
        >
          {() => <DataTable label="Audit entries" columns={columns} rows={rows} rowKey={(r) => r.view.id} rowHref={(r) => entryHref(r.view.id)} />}
        </QueryView>
        <nav className="audit-pager" aria-label="Pages of entries">
          <Button size="sm" variant="secondary" isDisabled={pageNumber === 1} onPress={() => setPages({ key: searchKey, cursors: [undefined] })}>
            First page
          </Button>
          <Button size="sm" variant="secondary" isDisabled={pageNumber === 1} onPress={() => setPages({ key: searchKey, cursors: cursors.slice(0, -1) })}>
            Previous page
          </Button>
          <span className="muted" aria-live="polite">
            Page {pageNumber}
            {rows.length > 0 && ` · entries ${((pageNumber - 1) * PAGE_SIZE + 1).toLocaleString()}–${((pageNumber - 1) * PAGE_SIZE + rows.length).toLocaleString()}`}
          </span>
          <Button size="sm" variant="secondary" isDisabled={next === undefined || report.isFetching} onPress={() => setPages({ key: searchKey, cursors: [...cursors, next] })}>
            Next page
          </Button>
        </nav>
      </Panel>
      <VerifyPanel entryHref={entryHref} />
      {entryId && <EntryDialog id={entryId} known={rows.find((r) => r.view.id === entryId)?.event} names={names} patients={patients} onClose={closeEntry} />}
      {printing && chosenPatient.data && <DisclosuresDialog patient={chosenPatient.data} filters={filters} names={names} onClose={() => setPrinting(false)} />}
    </div>
  );
}

/** Saves a file the page made (the browser's download, with a name that says what it holds). */
function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

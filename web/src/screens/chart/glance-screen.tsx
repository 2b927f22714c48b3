import type { Bundle, DocumentReference, Resource } from '@medplum/fhirtypes';
import type { UseQueryResult } from '@tanstack/react-query';
import { format } from 'date-fns';
import type { ReactNode } from 'react';
import { Link } from 'react-aria-components';
import { useParams } from 'react-router';
import { allergyStatus, immunizationHistory, latestResults, latestVitals, medicationList, problemList, recentEncounters, upcomingAppointments, type LatestValue } from '../../chart/summary.ts';
import { VITAL_SIGNS, type VitalKey } from '../../clinical/vital-signs.ts';
import { Badge } from '../../design/index.ts';
import { conceptText, testName, unitText } from '../../fhir-format/values.ts';
import { matches } from '../../fhir/queries.ts';
import { CLINICAL_NOTE_CATEGORY, signState } from '../../notes/note-resource.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import {
  GLANCE_ROWS,
  useActiveProblems,
  useAllergies,
  useCurrentMedications,
  useImmunizations,
  useLatestResults,
  useLatestVitals,
  useRecentEncounters,
  useRecentNotes,
  useResolvedProblems,
  useUpcomingAppointments,
} from './chart-queries.ts';
import { FlagBadge, TrendMark } from './result-marks.tsx';

/**
 * `/patients/:patientId`: the chart at a glance, everything a clinician reads before walking in,
 * without scrolling at 1366×768 (ux-checks UX-01): problems, medications, allergies,
 * immunizations, the latest vitals and results with flags and trends (UX-10), upcoming
 * appointments, recent visits and notes. Stale and inactive items look different; every item
 * links to its detail. All searches start at once and each panel shows its own state.
 */
export function GlanceScreen() {
  const { patientId } = useParams() as { patientId: string };
  const base = `/patients/${patientId}`;
  return (
    <div className="glance">
      <div className="glance-column">
        <ProblemsPanel patientId={patientId} base={base} />
        <AllergiesPanel patientId={patientId} base={base} />
      </div>
      <div className="glance-column">
        <MedicationsPanel patientId={patientId} base={base} />
        <ImmunizationsPanel patientId={patientId} base={base} />
      </div>
      <div className="glance-column">
        <VitalsPanel patientId={patientId} base={base} />
        <ResultsPanel patientId={patientId} base={base} />
      </div>
      <div className="glance-column">
        <AppointmentsPanel patientId={patientId} base={base} />
        <EncountersPanel patientId={patientId} base={base} />
        <NotesPanel patientId={patientId} base={base} />
      </div>
    </div>
  );
}

/** A compact titled card whose title names what "All …" opens. */
function GlancePanel({ title, href, count, children }: { title: string; href: string; count?: number | undefined; children: ReactNode }) {
  const id = `glance-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section className="glance-panel" aria-labelledby={id}>
      <header className="glance-panel-header">
        <h2 id={id}>{title}</h2>
        <Link className="glance-all" href={href}>
          {count ? `All ${count}` : 'All'}
          <span className="visually-hidden"> {title.toLowerCase()}</span>
        </Link>
      </header>
      <div className="glance-panel-body">{children}</div>
    </section>
  );
}

function More({ shown, total, href, what }: { shown: number; total: number; href: string; what: string }) {
  if (total <= shown) return null;
  return (
    <Link className="glance-more" href={href}>
      +{total - shown} more<span className="visually-hidden"> {what}</span>
    </Link>
  );
}

/**
 * How many there are in all: the server's total when it gave one (exact up to 100 matches), else
 * what was read when there is no next page; undefined when unknown (the panel then says "All").
 */
function total(bundle: Bundle<Resource> | undefined, shown: number): number | undefined {
  if (bundle?.total !== undefined) return Math.max(bundle.total, shown);
  if (bundle?.link?.some((l) => l.relation === 'next')) return undefined;
  return Math.max(matches(bundle).length, shown);
}

function PanelQuery<T>({ query, what, children, isEmpty, empty }: { query: UseQueryResult<T>; what: string; isEmpty: (data: T) => boolean; empty: ReactNode; children: (data: T) => ReactNode }) {
  return (
    <QueryView query={query} what={what} skeletonLines={3} isEmpty={isEmpty} empty={empty}>
      {children}
    </QueryView>
  );
}

// --- Problems ---------------------------------------------------------------------------------

function ProblemsPanel({ patientId, base }: { patientId: string; base: string }) {
  const active = useActiveProblems(patientId);
  const resolved = useResolvedProblems(patientId);
  const href = `${base}/problems`;
  const list = problemList(matches(active.data)).active;
  return (
    <GlancePanel title="Problems" href={href} count={active.data ? total(active.data, list.length) : undefined}>
      <PanelQuery query={active} what="problems" isEmpty={() => list.length === 0} empty={<p className="glance-state">No active problems recorded.</p>}>
        {(bundle) => (
          <>
            <ul className="glance-list" aria-label="Active problems">
              {list.slice(0, GLANCE_ROWS.problems).map((c) => (
                <li key={c.id}>
                  <Link href={`${href}#${c.id}`}>{conceptText(c.code) || 'Unnamed problem'}</Link>
                  <span className="glance-meta">{c.onsetDateTime ? `since ${c.onsetDateTime.slice(0, 4)}` : ''}</span>
                </li>
              ))}
            </ul>
            <More shown={Math.min(list.length, GLANCE_ROWS.problems)} total={total(bundle, list.length) ?? list.length} href={href} what="active problems" />
          </>
        )}
      </PanelQuery>
      {matches(resolved.data).length > 0 && (
        <p className="glance-inactive">
          <Badge tone="neutral">Resolved</Badge>{' '}
          {matches(resolved.data).map((c, i) => (
            <span key={c.id}>
              {i > 0 && ', '}
              <Link href={`${href}#${c.id}`}>{conceptText(c.code)}</Link>
            </span>
          ))}
        </p>
      )}
    </GlancePanel>
  );
}

// --- Allergies --------------------------------------------------------------------------------

function AllergiesPanel({ patientId, base }: { patientId: string; base: string }) {
  const query = useAllergies(patientId);
  const href = `${base}/allergies`;
  const status = allergyStatus(matches(query.data));
  return (
    <GlancePanel title="Allergies" href={href}>
      <PanelQuery
        query={query}
        what="allergies"
        isEmpty={() => status.active.length === 0}
        empty={
          status.noneKnown ? (
            <p className="glance-state">No known allergies</p>
          ) : status.unrecorded ? (
            <p className="glance-state" data-warning>
              <Badge tone="warning">Allergies not recorded</Badge> Ask and record them.
            </p>
          ) : (
            <p className="glance-state">No active allergies</p>
          )
        }
      >
        {() => (
          <ul className="glance-list" aria-label="Allergies, high criticality first">
            {status.active.map((a) => {
              const reaction = a.reaction?.[0];
              return (
                <li key={a.id}>
                  <Link href={`${href}#${a.id}`}>{conceptText(a.code) || 'Unnamed substance'}</Link>
                  {a.criticality === 'high' && <Badge tone="danger">High risk</Badge>}
                  <span className="glance-meta">{[reaction?.manifestation?.map(conceptText).join(', '), reaction?.severity].filter(Boolean).join(', ')}</span>
                </li>
              );
            })}
          </ul>
        )}
      </PanelQuery>
    </GlancePanel>
  );
}

// --- Medications ------------------------------------------------------------------------------

function MedicationsPanel({ patientId, base }: { patientId: string; base: string }) {
  const query = useCurrentMedications(patientId);
  const href = `${base}/medications`;
  const current = medicationList(matches(query.data)).current;
  return (
    <GlancePanel title="Medications" href={href} count={query.data ? current.length : undefined}>
      <PanelQuery query={query} what="medications" isEmpty={() => current.length === 0} empty={<p className="glance-state">No current medications recorded.</p>}>
        {() => (
          <>
            <ul className="glance-list" aria-label="Current medications">
              {current.slice(0, GLANCE_ROWS.medications).map((m) => (
                <li key={m.request.id} data-stale={m.stale || undefined}>
                  <Link href={`${href}#${m.request.id}`}>{m.name}</Link>
                  {m.request.status === 'on-hold' && <Badge tone="neutral">On hold</Badge>}
                  {m.stale && <Badge tone="warning">Not renewed in 1 y+</Badge>}
                </li>
              ))}
            </ul>
            <More shown={Math.min(current.length, GLANCE_ROWS.medications)} total={current.length} href={href} what="medications" />
          </>
        )}
      </PanelQuery>
    </GlancePanel>
  );
}

// --- Immunizations ----------------------------------------------------------------------------

function ImmunizationsPanel({ patientId, base }: { patientId: string; base: string }) {
  const query = useImmunizations(patientId);
  const href = `${base}/immunizations`;
  const history = immunizationHistory(matches(query.data));
  return (
    <GlancePanel title="Immunizations" href={href} count={query.data ? history.length : undefined}>
      <PanelQuery query={query} what="immunizations" isEmpty={() => history.length === 0} empty={<p className="glance-state">No immunizations recorded.</p>}>
        {() => (
          <>
            <ul className="glance-list" aria-label="Latest dose of each vaccine">
              {history.slice(0, GLANCE_ROWS.immunizations).map(({ latest, doses }) => (
                <li key={latest.id}>
                  <Link href={`${href}#${latest.id}`}>{conceptText(latest.vaccineCode) || 'Vaccine'}</Link>
                  <span className="glance-meta">
                    {latest.occurrenceDateTime ? shortDate(latest.occurrenceDateTime) : ''}
                    {doses > 1 ? ` · ${doses} doses` : ''}
                  </span>
                </li>
              ))}
            </ul>
            <More shown={Math.min(history.length, GLANCE_ROWS.immunizations)} total={history.length} href={href} what="vaccines" />
          </>
        )}
      </PanelQuery>
    </GlancePanel>
  );
}

// --- Latest vitals ----------------------------------------------------------------------------

/** The measures the summary shows, in the order a nurse reads them out. */
const GLANCE_VITALS: readonly VitalKey[] = ['heartRate', 'respiratoryRate', 'temperature', 'spo2', 'weight', 'bmi', 'pain'];

function shortDate(when: string): string {
  const d = new Date(when);
  return Number.isNaN(d.getTime()) ? when : format(d, 'd MMM yyyy');
}

function VitalsPanel({ patientId, base }: { patientId: string; base: string }) {
  const query = useLatestVitals(patientId);
  const href = `${base}/vitals`;
  const latest = latestVitals(matches(query.data));
  return (
    <GlancePanel title="Latest vitals" href={href}>
      <PanelQuery query={query} what="vital signs" isEmpty={() => latest.size === 0} empty={<p className="glance-state">No vital signs recorded.</p>}>
        {() => {
          const sys = latest.get('systolic');
          const dia = latest.get('diastolic');
          return (
            <table className="glance-table" aria-label="Latest vital signs">
              <thead>
                <tr>
                  <th scope="col">Measure</th>
                  <th scope="col">Latest</th>
                  <th scope="col">
                    <span className="visually-hidden">Trend</span>
                  </th>
                  <th scope="col">Date</th>
                </tr>
              </thead>
              <tbody>
                {sys && (
                  <tr data-vital="bp">
                    <th scope="row">
                      <Link href={`${href}?measure=systolic`}>Blood pressure</Link>
                    </th>
                    <td>
                      <span className="glance-value">
                        {sys.value}/{dia?.value ?? '–'}
                      </span>{' '}
                      <span className="glance-unit">mmHg</span> <FlagBadge flag={sys.flag !== 'normal' && sys.flag ? sys.flag : dia?.flag} />
                    </td>
                    <td>
                      <TrendMark trend={sys.trend} previous={sys.previous} unit="mmHg systolic" />
                    </td>
                    <td>{shortDate(sys.when)}</td>
                  </tr>
                )}
                {GLANCE_VITALS.map((key) => {
                  const v = latest.get(key);
                  return v ? <VitalRow key={key} vitalKey={key} v={v} href={`${href}?measure=${key}`} /> : null;
                })}
              </tbody>
            </table>
          );
        }}
      </PanelQuery>
    </GlancePanel>
  );
}

function VitalRow({ vitalKey, v, href }: { vitalKey: VitalKey; v: LatestValue; href: string }) {
  const def = VITAL_SIGNS[vitalKey];
  const unit = def.unit.label;
  return (
    <tr data-vital={vitalKey}>
      <th scope="row">
        <Link href={href}>{def.label}</Link>
      </th>
      <td>
        <span className="glance-value">{v.value}</span> <span className="glance-unit">{unit}</span> <FlagBadge flag={v.flag} />
      </td>
      <td>
        <TrendMark trend={v.trend} previous={v.previous} unit={unit} />
      </td>
      <td>{shortDate(v.when)}</td>
    </tr>
  );
}

// --- Results ----------------------------------------------------------------------------------

function ResultsPanel({ patientId, base }: { patientId: string; base: string }) {
  const query = useLatestResults(patientId);
  const href = `${base}/results`;
  const results = latestResults(matches(query.data));
  return (
    <GlancePanel title="Recent results" href={href} count={query.data ? results.length : undefined}>
      <PanelQuery query={query} what="results" isEmpty={() => results.length === 0} empty={<p className="glance-state">No results recorded.</p>}>
        {() => {
          // Abnormal first among the newest, so a high potassium is never below the fold.
          const shown = [...results].sort((a, b) => Number(b.flag !== undefined && b.flag !== 'normal') - Number(a.flag !== undefined && a.flag !== 'normal')).slice(0, GLANCE_ROWS.results);
          return (
            <>
              <table className="glance-table" aria-label="Latest result of each test">
                <thead>
                  <tr>
                    <th scope="col">Test</th>
                    <th scope="col">Latest</th>
                    <th scope="col">
                      <span className="visually-hidden">Trend</span>
                    </th>
                    <th scope="col">Date</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((r) => {
                    const code = r.observation.code.coding?.[0]?.code ?? '';
                    const unit = unitText(r.observation.valueQuantity);
                    return (
                      <tr key={r.observation.id} data-flag={r.flag}>
                        <th scope="row">
                          <Link href={`${href}?test=${encodeURIComponent(code)}`} aria-label={conceptText(r.observation.code)}>
                            <span title={conceptText(r.observation.code)}>{testName(r.observation.code)}</span>
                          </Link>
                        </th>
                        <td>
                          <span className="glance-value">{r.value}</span> <span className="glance-unit">{unit}</span> <FlagBadge flag={r.flag} />
                        </td>
                        <td>
                          <TrendMark trend={r.trend} previous={r.previous} unit={unit} />
                        </td>
                        <td>{shortDate(r.when)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              <More shown={shown.length} total={results.length} href={href} what="results" />
            </>
          );
        }}
      </PanelQuery>
    </GlancePanel>
  );
}

// --- Appointments, visits, notes --------------------------------------------------------------

function AppointmentsPanel({ patientId, base }: { patientId: string; base: string }) {
  const today = format(new Date(), 'yyyy-MM-dd');
  const query = useUpcomingAppointments(patientId, today);
  const href = `${base}/encounters`;
  const upcoming = upcomingAppointments(matches(query.data));
  return (
    <GlancePanel title="Upcoming" href={href}>
      <PanelQuery query={query} what="appointments" isEmpty={() => upcoming.length === 0} empty={<p className="glance-state">No upcoming appointments.</p>}>
        {() => (
          <ul className="glance-list" aria-label="Upcoming appointments">
            {upcoming.slice(0, GLANCE_ROWS.appointments).map((a) => (
              <li key={a.id}>
                <Link href={`${href}#${a.id}`}>{a.start ? format(new Date(a.start), 'EEE d MMM yyyy, HH:mm') : 'Date not set'}</Link>
                <span className="glance-meta">{a.description ?? conceptText(a.appointmentType) ?? ''}</span>
              </li>
            ))}
          </ul>
        )}
      </PanelQuery>
    </GlancePanel>
  );
}

function EncountersPanel({ patientId, base }: { patientId: string; base: string }) {
  const query = useRecentEncounters(patientId);
  const href = `${base}/encounters`;
  const recent = recentEncounters(matches(query.data));
  return (
    <GlancePanel title="Recent visits" href={href} count={query.data ? total(query.data, recent.length) : undefined}>
      <PanelQuery query={query} what="visits" isEmpty={() => recent.length === 0} empty={<p className="glance-state">No visits recorded.</p>}>
        {() => (
          <ul className="glance-list" aria-label="Recent visits">
            {recent.map((e) => (
              <li key={e.id}>
                <Link href={`${href}#${e.id}`}>{e.period?.start ? shortDate(e.period.start) : 'Undated visit'}</Link>
                <span className="glance-meta">{[e.type?.[0] ? conceptText(e.type[0]) : e.class?.display, e.reasonCode?.[0] ? conceptText(e.reasonCode[0]) : ''].filter(Boolean).join(' · ')}</span>
              </li>
            ))}
          </ul>
        )}
      </PanelQuery>
    </GlancePanel>
  );
}

/** A visit note (opened in the notes screen) rather than a filed document. */
function isClinicalNote(d: DocumentReference): boolean {
  return d.category?.some((c) => c.coding?.some((x) => x.code === CLINICAL_NOTE_CATEGORY.code && x.system === CLINICAL_NOTE_CATEGORY.system)) ?? false;
}

function NotesPanel({ patientId, base }: { patientId: string; base: string }) {
  const query = useRecentNotes(patientId);
  const href = `${base}/documents`;
  const notes = matches(query.data).filter((d) => d.status !== 'entered-in-error');
  return (
    <GlancePanel title="Notes and documents" href={`${base}/notes`}>
      <PanelQuery query={query} what="notes" isEmpty={() => notes.length === 0} empty={<p className="glance-state">No notes or documents yet.</p>}>
        {() => (
          <ul className="glance-list" aria-label="Recent notes and documents">
            {notes.map((d) => (
              <li key={d.id} data-stale={d.status === 'superseded' || undefined}>
                <Link href={isClinicalNote(d) ? `${base}/notes/${d.id}` : `${href}#${d.id}`}>{d.description ?? (conceptText(d.type) || 'Document')}</Link>
                <span className="glance-meta">
                  {d.date ? shortDate(d.date) : ''}
                  {d.status === 'superseded' ? ' · superseded' : ''}
                  {isClinicalNote(d) && signState(d) !== 'signed' ? ' · not signed' : ''}
                </span>
              </li>
            ))}
          </ul>
        )}
      </PanelQuery>
    </GlancePanel>
  );
}

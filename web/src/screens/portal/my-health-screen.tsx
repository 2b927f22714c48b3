import type { DocumentReference, Observation, Patient } from '@medplum/fhirtypes';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useUser } from '../../auth/auth-context.tsx';
import { allergyStatus, immunizationHistory, latestResults, latestVitals, medicationList, type LatestValue } from '../../chart/summary.ts';
import { flagFor, normalRange, rangeText } from '../../clinical/flags.ts';
import { LOINC, VITAL_SIGNS, type VitalKey } from '../../clinical/vital-signs.ts';
import { Button, EmptyState, ErrorState, Panel, Select } from '../../design/index.ts';
import { givenFirst } from '../../fhir-format/patient.ts';
import { codingIn, conceptText, dateText, testName, unitText } from '../../fhir-format/values.ts';
import { matches, useRead, useSearch } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { CLINICAL_NOTE_CATEGORY, sectionsOf } from '../../notes/note-resource.ts';
import { whatItMeasures } from '../../portal/plain-language.ts';
import { releaseRuleText } from '../../portal/results-release.ts';
import { usePracticeSettings } from '../../practice/use-practice-settings.ts';
import { useActiveProblems, useAllergies, useCurrentMedications, useImmunizations, useLatestVitals } from '../chart/chart-queries.ts';
import { FlagBadge } from '../chart/result-marks.tsx';
import { TrendPlot } from '../trend-plot/trend-plot.tsx';
import { AskToCorrect } from './corrections/ask-correction.tsx';
import { VitalTrend, vitalTrendName } from '../trend-plot/vital-trend.tsx';
import { FormsWaitingHint } from './forms/forms-screen.tsx';

/** Lab results read for the page; the latest of each test is listed, the rest feed its trend. */
const RESULTS_READ = 200;
const VITAL_MEASURES: readonly VitalKey[] = ['weight', 'bmi', 'systolic', 'diastolic', 'heartRate', 'temperature', 'spo2'];

/** Three significant figures: what a lab printout shows, not the 14 decimals an interface may send. */
function readable(value: number): number {
  return Number(value.toPrecision(3));
}

/**
 * `/portal`: the open record in plain words, one column on a phone. A limited proxy sees only the
 * parts the server lets it see (docs/access.md#proxies-full-and-limited-access): the page says the
 * rest is private rather than showing empty sections that would read as "nothing recorded".
 */
export function MyHealthScreen() {
  const user = useUser();
  const patientId = user.patient;
  const patient = useRead<Patient>('Patient', patientId).data;
  if (!patientId) return <ErrorState title="No record is open" message="This sign-in is not for a patient's record." advice="Sign out and sign in again." />;
  const firstName = patient ? (patient.name?.[0]?.given?.[0] ?? givenFirst(patient.name)) : 'this person';
  return (
    <div className="portal-screen">
      <h1 className="portal-title">{user.role === 'proxy' ? `${firstName}’s health` : 'My health'}</h1>
      {!user.limited && <FormsWaitingHint patientId={patientId} />}
      {!user.limited && (
        <p className="portal-rule portal-correct-intro">
          Something wrong in your record? Choose “Ask to correct this” next to it. <Link to="/portal/corrections">Your correction requests</Link>
        </p>
      )}
      {user.limited ? (
        <p className="portal-notice" role="note">
          Some parts of {firstName}’s record are private to them. You can see their allergies, vaccinations and appointments.
        </p>
      ) : (
        <>
          <ResultsSection patientId={patientId} />
          <VitalsSection patientId={patientId} />
          <ProblemsSection patientId={patientId} />
          <MedicationsSection patientId={patientId} />
        </>
      )}
      <AllergiesSection patientId={patientId} />
      <ImmunizationsSection patientId={patientId} />
      {!user.limited && <DocumentsSections patientId={patientId} />}
    </div>
  );
}

function ResultsSection({ patientId }: { patientId: string }) {
  const { settings } = usePracticeSettings();
  // The server leaves out results the practice's rule has not released yet: what it returns is what the patient may see.
  const results = useSearch<Observation>('Observation', { patient: patientId, category: 'laboratory', _sort: '-date', _count: RESULTS_READ });
  const released = useMemo(() => matches(results.data), [results.data]);
  const [trendOf, setTrendOf] = useState<string | undefined>();
  return (
    <Panel title="Test results">
      <p className="portal-rule">{releaseRuleText(settings.resultsRelease)}</p>
      <QueryView query={results} what="test results" skeletonLines={6}>
        {() =>
          released.length === 0 ? (
            <EmptyState title="No test results to show yet." />
          ) : (
            <ul className="portal-results">
              {latestResults(released)
                .slice(0, 20)
                .map((r) => (
                  <ResultRow key={r.observation.id} patientId={patientId} result={r} all={released} open={trendOf === r.observation.id} onToggle={() => setTrendOf(trendOf === r.observation.id ? undefined : r.observation.id)} />
                ))}
            </ul>
          )
        }
      </QueryView>
    </Panel>
  );
}

function ResultRow({ patientId, result, all, open, onToggle }: { patientId: string; result: LatestValue; all: readonly Observation[]; open: boolean; onToggle: () => void }) {
  const o = result.observation;
  const name = testName(o.code);
  const loinc = codingIn(o.code, LOINC)?.code;
  const range = normalRange(o.referenceRange);
  const sentence = whatItMeasures(loinc);
  const history = all.filter((x) => x.valueQuantity?.value !== undefined && (loinc ? codingIn(x.code, LOINC)?.code === loinc : conceptText(x.code) === conceptText(o.code)));
  return (
    <li className="portal-result" data-testid="result">
      <div className="portal-result-head">
        <span className="portal-result-name">{name}</span>
        <span className="portal-result-value">
          {readable(result.value)} {unitText(o.valueQuantity)} <FlagBadge flag={result.flag} />
        </span>
      </div>
      <p className="portal-result-meta">
        {range ? `Normal range: ${rangeText(range, unitText(o.valueQuantity))}` : 'No normal range given'} · {dateText(result.when)}
      </p>
      {sentence && <p className="portal-result-about">{sentence}</p>}
      <AskToCorrect item={{ reference: `Observation/${o.id}`, display: `${name} ${readable(result.value)} ${unitText(o.valueQuantity)}, ${dateText(result.when)}` }} patientId={patientId} />
      {history.length > 1 && (
        <>
          <Button size="sm" variant="quiet" onPress={onToggle} aria-expanded={open}>
            {open ? 'Hide' : 'Show'} earlier results<span className="visually-hidden"> of {name}</span>
          </Button>
          {open && (
            <TrendPlot
              measure={name}
              unit={unitText(o.valueQuantity)}
              range={range}
              points={history.map((x) => ({ id: x.id!, when: x.effectiveDateTime ?? x.issued ?? '', value: x.valueQuantity!.value!, flag: flagFor(x.valueQuantity!.value, normalRange(x.referenceRange), x.interpretation) }))}
            />
          )}
        </>
      )}
    </li>
  );
}

function VitalsSection({ patientId }: { patientId: string }) {
  const latest = useLatestVitals(patientId);
  const [chosen, setMeasure] = useState<VitalKey | undefined>();
  return (
    <Panel title="Measurements">
      <QueryView query={latest} what="measurements" isEmpty={(b) => matches(b).length === 0} empty={<EmptyState title="No measurements recorded yet." />}>
        {(bundle) => {
          const values = latestVitals(matches(bundle));
          const measure = chosen ?? VITAL_MEASURES.find((k) => values.has(k)) ?? 'weight';
          return (
            <>
              <dl className="portal-vitals">
                {VITAL_MEASURES.filter((k) => values.has(k)).map((k) => (
                  <div key={k}>
                    <dt>{vitalTrendName(k)}</dt>
                    <dd>
                      {readable(values.get(k)!.value)} {VITAL_SIGNS[k].unit.label} <FlagBadge flag={values.get(k)!.flag} />
                      <span className="portal-when">{dateText(values.get(k)!.when)}</span>
                    </dd>
                  </div>
                ))}
              </dl>
              <div className="portal-trend-picker">
                <Select label="Show over time" options={VITAL_MEASURES.map((k) => ({ id: k, label: vitalTrendName(k) }))} selectedKey={measure} onSelectionChange={(k) => setMeasure(k as VitalKey)} />
              </div>
              <VitalTrend patientId={patientId} vital={measure} />
            </>
          );
        }}
      </QueryView>
    </Panel>
  );
}

function ProblemsSection({ patientId }: { patientId: string }) {
  const query = useActiveProblems(patientId);
  return (
    <Panel title="Health problems">
      <QueryView query={query} what="health problems" isEmpty={(b) => matches(b).length === 0} empty={<EmptyState title="No current health problems recorded." />}>
        {(bundle) => (
          <ul className="portal-list">
            {matches(bundle).map((c) => (
              <li key={c.id} className="portal-item">
                <span>
                  {conceptText(c.code)}
                  {c.onsetDateTime && <span className="portal-when"> since {dateText(c.onsetDateTime)}</span>}
                </span>
                <AskToCorrect item={{ reference: `Condition/${c.id}`, display: conceptText(c.code) }} patientId={patientId} />
              </li>
            ))}
          </ul>
        )}
      </QueryView>
    </Panel>
  );
}

function MedicationsSection({ patientId }: { patientId: string }) {
  const query = useCurrentMedications(patientId);
  return (
    <Panel title="Medicines">
      <QueryView query={query} what="medicines" isEmpty={(b) => medicationList(matches(b)).current.length === 0} empty={<EmptyState title="No current medicines recorded." />}>
        {(bundle) => (
          <ul className="portal-list">
            {medicationList(matches(bundle)).current.map((m) => (
              <li key={m.request.id} className="portal-item">
                <span>
                  {m.name}
                  {m.request.dosageInstruction?.[0]?.text && <span className="portal-when"> · {m.request.dosageInstruction[0].text}</span>}
                </span>
                <AskToCorrect item={{ reference: `MedicationRequest/${m.request.id}`, display: m.name }} patientId={patientId} />
              </li>
            ))}
          </ul>
        )}
      </QueryView>
    </Panel>
  );
}

function AllergiesSection({ patientId }: { patientId: string }) {
  const query = useAllergies(patientId);
  return (
    <Panel title="Allergies">
      <QueryView query={query} what="allergies">
        {(bundle) => {
          const status = allergyStatus(matches(bundle));
          if (status.unrecorded) return <EmptyState title="No allergies recorded. Tell your care team about any allergy you have." />;
          if (status.noneKnown || status.active.length === 0) return <p>No known allergies.</p>;
          return (
            <ul className="portal-list">
              {status.active.map((a) => (
                <li key={a.id} className="portal-item">
                  <span>
                    {conceptText(a.code)}
                    {a.reaction?.[0]?.manifestation?.[0] && <span className="portal-when"> · causes {conceptText(a.reaction[0].manifestation[0]).toLowerCase()}</span>}
                  </span>
                  <AskToCorrect item={{ reference: `AllergyIntolerance/${a.id}`, display: `Allergy: ${conceptText(a.code)}` }} patientId={patientId} />
                </li>
              ))}
            </ul>
          );
        }}
      </QueryView>
    </Panel>
  );
}

function ImmunizationsSection({ patientId }: { patientId: string }) {
  const query = useImmunizations(patientId);
  return (
    <Panel title="Vaccinations">
      <QueryView query={query} what="vaccinations" isEmpty={(b) => immunizationHistory(matches(b)).length === 0} empty={<EmptyState title="No vaccinations recorded." />}>
        {(bundle) => (
          <ul className="portal-list">
            {immunizationHistory(matches(bundle)).map(({ latest, doses }) => (
              <li key={latest.id} className="portal-item">
                <span>
                  {conceptText(latest.vaccineCode)}
                  <span className="portal-when">
                    {' '}
                    · last {dateText(latest.occurrenceDateTime)}
                    {doses > 1 ? ` (${doses} doses)` : ''}
                  </span>
                </span>
                <AskToCorrect item={{ reference: `Immunization/${latest.id}`, display: `${conceptText(latest.vaccineCode)}, ${dateText(latest.occurrenceDateTime)}` }} patientId={patientId} />
              </li>
            ))}
          </ul>
        )}
      </QueryView>
    </Panel>
  );
}

function isNote(d: DocumentReference): boolean {
  return d.category?.some((c) => codingIn(c, CLINICAL_NOTE_CATEGORY.system)?.code === CLINICAL_NOTE_CATEGORY.code) ?? false;
}

function isSignedNote(d: DocumentReference): boolean {
  return isNote(d) && (d.docStatus === 'final' || d.docStatus === 'amended');
}

/** Signed visit notes (drafts stay with the clinician) and the other documents in the record. */
function DocumentsSections({ patientId }: { patientId: string }) {
  const query = useSearch<DocumentReference>('DocumentReference', { patient: patientId, status: 'current', _sort: '-date', _count: 30 });
  const docs = matches(query.data);
  return (
    <>
      <Panel title="Visit summaries">
        <QueryView query={query} what="visit summaries" isEmpty={() => !docs.some(isSignedNote)} empty={<EmptyState title="No visit summaries yet." />}>
          {() => (
            <ul className="portal-list">
              {docs.filter(isSignedNote).map((d) => (
                <li key={d.id}>
                  <details className="portal-note">
                    <summary>
                      {conceptText(d.type) || 'Visit note'} · {dateText(d.date)}
                      {d.authenticator?.display && <span className="portal-when"> · {d.authenticator.display}</span>}
                    </summary>
                    {sectionsOf(d).map((s) => (
                      <section key={s.title}>
                        <h3>{s.title}</h3>
                        <p>{s.text}</p>
                      </section>
                    ))}
                    <AskToCorrect item={{ reference: `DocumentReference/${d.id}`, display: `${conceptText(d.type) || 'Visit note'}, ${dateText(d.date)}` }} patientId={patientId} />
                  </details>
                </li>
              ))}
            </ul>
          )}
        </QueryView>
      </Panel>
      <Panel title="Documents">
        <QueryView query={query} what="documents" isEmpty={() => !docs.some((d) => !isNote(d))} empty={<EmptyState title="No documents shared yet." />}>
          {() => (
            <ul className="portal-list">
              {docs
                .filter((d) => !isNote(d))
                .map((d) => (
                  <li key={d.id}>
                    {d.description || conceptText(d.type) || 'Document'} <span className="portal-when">· {dateText(d.date)}</span>
                  </li>
                ))}
            </ul>
          )}
        </QueryView>
      </Panel>
    </>
  );
}

import type { Condition, DocumentReference, Encounter, MedicationRequest, Observation, Practitioner, Procedure, Resource } from '@medplum/fhirtypes';
import { useState } from 'react';
import { Button as AriaButton, Disclosure, DisclosurePanel, Heading } from 'react-aria-components';
import { Link, useLocation, useParams } from 'react-router';
import { Badge, EmptyState, ErrorState, LoadingSkeleton, Panel } from '../../design/index.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { included, matches, useSearch } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { givenFirst } from '../../fhir-format/patient.ts';
import { conceptText, dateText, quantityText } from '../../fhir-format/values.ts';
import { ChartScreenHeader } from '../chart/chart-screen-header.tsx';
import './encounters.css';

const PAGE = 50;

/**
 * `/patients/:patientId/encounters`: the visit history as a timeline, newest first; a visit opens
 * to what was recorded in it (problems, observations, procedures, medications, documents), read
 * only then, with one `encounter=` search per kind.
 */
export function EncountersScreen() {
  const { patientId } = useParams() as { patientId: string };
  const [count, setCount] = useState(PAGE);
  // `#id` from the chart at a glance: that visit opens.
  const linked = useLocation().hash.slice(1);
  const encounters = useSearch<Encounter>('Encounter', { patient: patientId, _sort: '-date', _count: count, _include: 'Encounter:participant' });
  return (
    <div className="screen encounters">
      <ChartScreenHeader title="Visits" />
      <Panel title="Visit history">
        <QueryView query={encounters} what="visits" isEmpty={(b) => matches(b).length === 0} empty={<EmptyState title="No visits recorded." />} skeletonLines={8}>
          {(bundle) => {
            const people = included<Practitioner>(bundle, 'Practitioner');
            const list = matches(bundle);
            return (
              <>
                <ol className="timeline">
                  {list.map((e) => (
                    <VisitItem key={e.id} encounter={e} clinician={clinicianOf(e, people)} initiallyOpen={e.id === linked} />
                  ))}
                </ol>
                {bundle.link?.some((l) => l.relation === 'next') && (
                  <div className="timeline-more">
                    <AriaButton className="h-button" data-variant="secondary" data-size="md" onPress={() => setCount((c) => c + PAGE)}>
                      Show older visits
                    </AriaButton>
                  </div>
                )}
              </>
            );
          }}
        </QueryView>
      </Panel>
    </div>
  );
}

function clinicianOf(e: Encounter, people: Map<string, Practitioner>): string {
  const ref = e.participant?.find((p) => p.individual?.reference?.startsWith('Practitioner/'))?.individual;
  if (!ref) return '';
  const p = ref.reference ? people.get(ref.reference) : undefined;
  return p ? givenFirst(p.name) : (ref.display ?? '');
}

function visitTitle(e: Encounter): string {
  return conceptText(e.type?.[0]) || e.class?.display || classText(e.class?.code) || 'Visit';
}

function classText(code: string | undefined): string {
  return ({ AMB: 'Office visit', EMER: 'Emergency', IMP: 'Inpatient stay', VR: 'Virtual visit', HH: 'Home visit' } as Record<string, string>)[code ?? ''] ?? code ?? '';
}

function VisitItem({ encounter: e, clinician, initiallyOpen }: { encounter: Encounter; clinician: string; initiallyOpen: boolean }) {
  const [open, setOpen] = useState(initiallyOpen);
  const reason = conceptText(e.reasonCode?.[0]);
  const when = dateText(e.period?.start, true) || 'Date not recorded';
  return (
    <li className="timeline-item" id={e.id}>
      <Disclosure isExpanded={open} onExpandedChange={setOpen} className="visit">
        <Heading level={3} className="visit-heading">
          <AriaButton slot="trigger" className="visit-trigger">
            <span className="visit-chevron" aria-hidden="true">
              {open ? '▾' : '▸'}
            </span>
            <span className="visit-date">{when}</span>
            <span className="visit-title">{visitTitle(e)}</span>
            {reason && <span className="visit-reason">{reason}</span>}
            {clinician && <span className="visit-who muted">{clinician}</span>}
            {e.status !== 'finished' && <Badge tone={e.status === 'cancelled' || e.status === 'entered-in-error' ? 'warning' : 'info'}>{e.status}</Badge>}
          </AriaButton>
        </Heading>
        <DisclosurePanel className="visit-panel">{open && <VisitRecord encounterId={e.id!} />}</DisclosurePanel>
      </Disclosure>
    </li>
  );
}

/** What was recorded in one visit: one `encounter=` search per kind, in parallel. */
function VisitRecord({ encounterId }: { encounterId: string }) {
  const params = { encounter: encounterId, _count: 100 };
  const conditions = useSearch<Condition>('Condition', params);
  const observations = useSearch<Observation>('Observation', { ...params, _sort: 'code' });
  const procedures = useSearch<Procedure>('Procedure', params);
  const medications = useSearch<MedicationRequest>('MedicationRequest', params);
  const documents = useSearch<DocumentReference>('DocumentReference', params);
  const all = [conditions, observations, procedures, medications, documents];
  if (all.some((q) => q.isPending)) return <LoadingSkeleton lines={4} label="Loading what was recorded in this visit" />;
  const failed = all.find((q) => q.isError);
  if (failed) return <ErrorState title="Could not load this visit’s record" message={errorMessage(failed.error)} advice={errorAdvice(failed.error)} onRetry={() => all.forEach((q) => void q.refetch())} />;
  const groups: { title: string; items: Resource[]; text: (r: never) => string }[] = [
    { title: 'Problems', items: matches(conditions.data), text: (c: Condition) => conceptText(c.code) },
    { title: 'Observations', items: matches(observations.data), text: (o: Observation) => observationText(o) },
    { title: 'Procedures', items: matches(procedures.data), text: (p: Procedure) => conceptText(p.code) },
    { title: 'Medications', items: matches(medications.data), text: (m: MedicationRequest) => conceptText(m.medicationCodeableConcept) || m.medicationReference?.display || 'Medication' },
    { title: 'Documents', items: matches(documents.data), text: (d: DocumentReference) => [conceptText(d.type) || 'Document', d.description].filter(Boolean).join(': ') },
  ];
  const present = groups.filter((g) => g.items.length > 0);
  if (present.length === 0) return <p className="muted visit-empty">Nothing was recorded in this visit.</p>;
  return (
    <div className="visit-record">
      {present.map((g) => (
        <section key={g.title} className="visit-group" aria-label={`${g.title} (${g.items.length})`}>
          <h4>
            {g.title} <span className="muted">({g.items.length})</span>
          </h4>
          <ul>
            {g.items.map((r) =>
              r.resourceType === 'DocumentReference' && r.subject?.reference?.startsWith('Patient/') ? (
                <li key={r.id}>
                  <Link to={`/patients/${r.subject.reference.slice('Patient/'.length)}/documents?doc=${r.id!}`}>{(g.text as (r: Resource) => string)(r)}</Link>
                </li>
              ) : (
                <li key={r.id}>{(g.text as (r: Resource) => string)(r)}</li>
              ),
            )}
          </ul>
        </section>
      ))}
    </div>
  );
}

function observationText(o: Observation): string {
  const name = conceptText(o.code) || 'Observation';
  if (o.valueQuantity) return `${name}: ${quantityText(o.valueQuantity)}`;
  if (o.valueCodeableConcept) return `${name}: ${conceptText(o.valueCodeableConcept)}`;
  if (o.valueString) return `${name}: ${o.valueString}`;
  const parts = (o.component ?? []).map((c) => quantityText(c.valueQuantity)).filter(Boolean);
  return parts.length > 0 ? `${name}: ${parts.join(' / ')}` : name;
}

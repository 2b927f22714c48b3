import type { AuditEvent, Patient } from '@medplum/fhirtypes';
import type { ReactNode } from 'react';
import { Badge, ClosableDialog, ErrorState, LoadingSkeleton } from '../../../design/index.ts';
import { errorAdvice, errorMessage } from '../../../fhir/fhir-client.ts';
import { useRead } from '../../../fhir/queries.ts';
import { familyFirst } from '../../../fhir-format/patient.ts';
import { auditEntryView, detailText, subtypeText } from '../../../audit-trail/audit-entry.ts';
import { whyText } from '../../../audit-trail/disclosures.ts';

const KINDS: Record<string, string> = { user: 'a person signed in', client: 'an app or service acting for itself', system: 'Heron itself' };

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

/**
 * Everything one audit entry records, opened from the list (its id is in the address, so an entry
 * can be linked to): who with role, address and browser; what was done to which resources; whose
 * record; why; the outcome; what an administrator changed; and the AuditEvent itself.
 */
export function EntryDialog({ id, known, names, patients, onClose }: { id: string; known?: AuditEvent; names: ReadonlyMap<string, string>; patients: ReadonlyMap<string, Patient>; onClose: () => void }) {
  const fetched = useRead<AuditEvent>('AuditEvent', known ? undefined : id);
  const event = known ?? fetched.data;
  return (
    <ClosableDialog title={`Audit entry ${id}`} onClose={onClose}>
      {event ? (
        <EntryFacts event={event} names={names} patients={patients} />
      ) : fetched.isError ? (
        <ErrorState title={`Could not load entry ${id}`} message={errorMessage(fetched.error)} advice={errorAdvice(fetched.error)} onRetry={() => void fetched.refetch()} />
      ) : (
        <LoadingSkeleton lines={6} label={`Loading entry ${id}`} />
      )}
    </ClosableDialog>
  );
}

function EntryFacts({ event, names, patients }: { event: AuditEvent; names: ReadonlyMap<string, string>; patients: ReadonlyMap<string, Patient> }) {
  const e = auditEntryView(event);
  const recorded = new Date(e.recorded);
  return (
    <div className="audit-entry">
      {e.emergency && (
        <p>
          <Badge tone="warning">Emergency access</Badge> The user opened a record outside their usual access, giving the reason below.
        </p>
      )}
      <dl className="audit-facts">
        <Fact label="When">
          {recorded.toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'medium' })} <span className="muted mono">({e.recorded} UTC)</span>
        </Fact>
        <Fact label="Who">
          {names.get(e.agentId) ?? e.agentId} <span className="muted">· {KINDS[e.agentKind] ?? e.agentKind} · id <span className="mono">{e.agentId}</span></span>
        </Fact>
        <Fact label="Role">{e.role ?? 'not recorded'}</Fact>
        <Fact label="From address">{e.address ? <span className="mono">{e.address}</span> : 'not recorded'}</Fact>
        <Fact label="Browser or app">{e.userAgent ?? 'not recorded'}</Fact>
        <Fact label="What">
          {subtypeText(e.subtype)} <span className="muted mono">({e.subtype}{e.action ? `, action ${e.action}` : ''})</span>
        </Fact>
        <Fact label="Resources">
          {e.entities.length === 0 ? (
            'none'
          ) : (
            <ul className="audit-refs">
              {e.entities.map((r) => (
                <li key={r} className="mono">
                  {r}
                </li>
              ))}
            </ul>
          )}
        </Fact>
        <Fact label="Whose record">
          {e.patients.length === 0
            ? 'no patient'
            : e.patients.map((p, i) => (
                <span key={p}>
                  {i > 0 && '; '}
                  {patients.has(p) ? familyFirst(patients.get(p)!.name) : 'Patient'} <span className="muted mono">(Patient/{p})</span>
                </span>
              ))}
        </Fact>
        <Fact label="Why">{whyText(e)}</Fact>
        <Fact label="Outcome">
          {e.succeeded ? <Badge tone="success">Succeeded</Badge> : <Badge tone="danger">Failed</Badge>}
          {e.failure && <> {e.failure}</>}
        </Fact>
        {e.reportedBy && <Fact label="Reported by">{e.reportedBy}</Fact>}
      </dl>
      {e.details.map((d, i) => (
        <section key={i} aria-label="Recorded details">
          <h3 className="audit-subheading">Recorded details</h3>
          <pre className="audit-json">{detailText(d)}</pre>
        </section>
      ))}
      <details className="audit-raw">
        <summary>The AuditEvent as served (FHIR JSON)</summary>
        <pre className="audit-json">{JSON.stringify(event, null, 2)}</pre>
      </details>
    </div>
  );
}

/**
 * One audit entry as the privacy officer reads it, from the AuditEvent Heron serves
 * (src/domain/audit/audit-event.ts: the requesting agent with role, address and user agent; the
 * touched resources; the patients in the patient role; purpose and reason; outcome; what an
 * administrator changed as an entity detail). Reported events (sent by apps) are read the same way.
 */
import type { AuditEvent } from '@medplum/fhirtypes';

export interface AuditEntryView {
  id: string;
  /** ISO instant. */
  recorded: string;
  /** The user's, app's or system's id. */
  agentId: string;
  /** `user`, `client` (an app or service acting for itself) or `system`. */
  agentKind: string;
  /**
   * The agent's name, when the server gave one with its id: in a patient's own accounting of
   * disclosures, staff, the patient's proxy and apps are named (src/domain/audit/agent-names.ts).
   */
  agentName?: string;
  role?: string;
  address?: string;
  userAgent?: string;
  /** The interaction or event (`read`, `search-type`, `$break-the-glass`, `sign-in`, …). */
  subtype: string;
  /** C, R, U, D or E. */
  action?: string;
  /** `Type/id` of each touched resource (not the patients). */
  entities: string[];
  /** Patient ids. */
  patients: string[];
  succeeded: boolean;
  /** A failure's kind (`forbidden`, `not-found`, …). */
  failure?: string;
  purpose?: string;
  /** The reason the user stated (emergency access). */
  reason?: string;
  /** What an administrator changed or asked, as recorded (JSON text). */
  details: string[];
  /** Sent by an app (POST AuditEvent), with who reported it. */
  reportedBy?: string;
  emergency: boolean;
}

const PATIENT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const REPORTED_BY = 'https://heron.dev/fhir/CodeSystem/reported-by';

export function auditEntryView(e: AuditEvent): AuditEntryView {
  const requestor = e.agent?.find((a) => a.requestor) ?? e.agent?.[0];
  const identifier = requestor?.who?.identifier;
  const patients: string[] = [];
  const entities: string[] = [];
  const details: string[] = [];
  for (const entity of e.entity ?? []) {
    const ref = entity.what?.reference;
    if (ref !== undefined && entity.role?.system === PATIENT_ROLE && entity.role.code === '1' && ref.startsWith('Patient/')) patients.push(ref.slice('Patient/'.length));
    else if (ref !== undefined) entities.push(ref);
    for (const d of entity.detail ?? []) if (d.valueString !== undefined) details.push(d.valueString);
  }
  const reported = e.meta?.tag?.find((t) => t.system === REPORTED_BY);
  const subtype = reported ? 'reported' : (e.subtype?.[0]?.code ?? e.type?.code ?? 'unknown');
  const purpose = e.purposeOfEvent?.[0]?.coding?.[0]?.code;
  const view: AuditEntryView = {
    id: e.id ?? '',
    recorded: e.recorded,
    agentId: identifier?.value ?? requestor?.who?.display ?? 'unknown',
    agentKind: identifier?.system?.split('/').pop() ?? 'unknown',
    subtype,
    entities,
    patients: [...new Set(patients)],
    succeeded: (e.outcome ?? '0') === '0',
    details,
    emergency: purpose === 'ETREAT' || subtype === '$break-the-glass' || subtype === 'break-glass',
  };
  const optional = {
    agentName: identifier?.value !== undefined ? requestor?.who?.display : undefined,
    role: requestor?.role?.[0]?.text,
    address: requestor?.network?.address,
    userAgent: requestor?.name,
    action: e.action,
    failure: e.outcome !== '0' ? e.outcomeDesc : undefined,
    purpose,
    reason: e.purposeOfEvent?.[0]?.text,
    reportedBy: reported?.display ?? reported?.code,
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (view as unknown as Record<string, unknown>)[k] = v;
  return view;
}

const SUBTYPES: Record<string, string> = {
  read: 'Read',
  vread: 'Read a version',
  'search-type': 'Searched',
  'search-system': 'Searched',
  'history-instance': 'Read the history',
  'history-type': 'Read the history',
  'history-system': 'Read the history',
  create: 'Created',
  update: 'Changed',
  patch: 'Changed',
  delete: 'Deleted',
  batch: 'Sent a batch',
  transaction: 'Sent a transaction',
  operation: 'Ran an operation',
  $validate: 'Checked a resource',
  '$break-the-glass': 'Emergency access',
  'break-glass': 'Emergency access granted',
  $lastn: 'Read latest results',
  $match: 'Matched patients',
  $expand: 'Looked up codes',
  $lookup: 'Looked up a code',
  $extract: 'Scored a questionnaire',
  $verify: 'Verified the audit trail',
  'sign-in': 'Signed in',
  consent: 'Allowed an app',
  'sign-out': 'Signed out',
  'sign-out-everywhere': 'Signed out everywhere',
  authenticate: 'Presented an access token',
  'ehr-launch': 'Launched an app',
  'password-reset-requested': 'Asked to reset a password',
  reported: 'Event reported by an app',
};

/** The interaction in words ("Read", "Emergency access", "Admin: user-disable"). */
export function subtypeText(subtype: string): string {
  if (SUBTYPES[subtype]) return SUBTYPES[subtype];
  if (subtype.startsWith('admin-')) return `Administration: ${subtype.slice('admin-'.length).replaceAll('-', ' ')}`;
  return subtype;
}

/** What was done to what, in one line: "Read Observation/9", "Searched AuditEvent (20 entries)". */
export function whatText(v: AuditEntryView): string {
  const verb = subtypeText(v.subtype);
  if (v.entities.length === 0) return verb;
  const types = [...new Set(v.entities.map((r) => r.split('/')[0]))];
  if (v.entities.length === 1) return `${verb} ${v.entities[0]}`;
  return `${verb} ${types.join(', ')} (${v.entities.length} resources)`;
}

/** An entry's recorded details pretty-printed when they are JSON, as they are otherwise. */
export function detailText(detail: string): string {
  try {
    return JSON.stringify(JSON.parse(detail), null, 2);
  } catch {
    return detail;
  }
}

/**
 * An audit-log entry as a FHIR R4 AuditEvent, shaped after IHE Basic Audit Log Patterns (BALP):
 * `type` rest with the interaction as `subtype`, the acting user or app as the requesting agent
 * with its network address, Heron as the observer, the touched resources as `entity` and each
 * patient concerned as an entity in the patient role. The id is the entry's place in the
 * practice's chain, so it is stable and ordered. An AuditEvent a client reported is served as it
 * was sent (`reported-event.ts`).
 * @see https://hl7.org/fhir/R4/auditevent.html
 * @see https://profiles.ihe.net/ITI/BALP/
 */
import type { AuditEvent, AuditEventEntity } from '@medplum/fhirtypes';
import type { StoredAuditEntry } from '../../store/audit-log.ts';
import { reportedAuditEvent } from './reported-event.ts';

export const ACTION_CODES: Readonly<Record<string, NonNullable<AuditEvent['action']>>> = {
  create: 'C',
  read: 'R',
  vread: 'R',
  'search-type': 'E',
  'search-system': 'E',
  'search-compartment': 'E',
  'history-instance': 'R',
  'history-type': 'R',
  'history-system': 'R',
  update: 'U',
  patch: 'U',
  delete: 'D',
  'admin-user-create': 'C',
  'admin-app-register': 'C',
  'admin-user-read': 'R',
  'admin-app-read': 'R',
  'admin-mfa-policy-read': 'R',
  'admin-user-disable': 'U',
  'admin-user-enable': 'U',
  'admin-user-invite': 'U',
  'admin-user-password-reset': 'U',
  'admin-user-sign-out-everywhere': 'U',
  'admin-user-role': 'U',
  'admin-user-mfa-reset': 'U',
  'admin-app-disable': 'U',
  'admin-mfa-policy': 'U',
  '$meta-add': 'U',
  '$meta-delete': 'U',
  'break-glass-review': 'C',
};

/**
 * What admin API entries touch besides FHIR resources: accounts, apps and backend services, and
 * the practice's policy (`User/…`, `Client/…`, `Practice/…`); the report's `entity` finds them too.
 */
export const ADMIN_ENTITY_TYPES: readonly string[] = ['User', 'Client', 'Practice'];
/** An id Heron could have issued to an account, app or practice (client ids are base64url). */
export const ADMIN_ENTITY_ID = /^[A-Za-z0-9\-._~]{1,128}$/;

/** Interactions named by the FHIR restful-interaction code system; others are Heron events. */
const RESTFUL = new Set(['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'history-system', 'create', 'search-type', 'search-system', 'batch', 'transaction', 'operation']);

/** The AuditEvent action (C, R, U, D, E) of an interaction; every other event executes something. */
export function actionCode(action: string): NonNullable<AuditEvent['action']> {
  return Object.hasOwn(ACTION_CODES, action) ? ACTION_CODES[action] : 'E';
}

export function toAuditEvent(e: StoredAuditEntry): AuditEvent {
  if (e.reported !== undefined) return reportedAuditEvent({ ...e, reported: e.reported });
  const entity: AuditEventEntity[] = [];
  for (const ref of e.entities ?? []) entity.push({ what: { reference: ref }, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' } });
  // What an administrator changed: on the entity it concerns, or on its own when there is none (a list).
  if (e.detail !== undefined) {
    const detail = [{ type: 'detail', valueString: e.detail }];
    if (entity.length > 0) entity[0].detail = detail;
    else entity.push({ type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' }, detail });
  }
  for (const ref of e.patients ?? []) entity.push({ what: { reference: ref }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' } });
  const restful = RESTFUL.has(e.action) || e.action === 'search-compartment';
  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    id: String(e.seq),
    type: restful
      ? { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' }
      : { system: 'https://heron.dev/fhir/CodeSystem/audit-event', code: e.action },
    subtype: [restful ? { system: 'http://hl7.org/fhir/restful-interaction', code: e.action === 'search-compartment' ? 'search-type' : e.action } : { system: 'https://heron.dev/fhir/CodeSystem/audit-event', code: e.action }],
    action: actionCode(e.action),
    recorded: new Date(e.recorded).toISOString(),
    outcome: e.outcome === 'success' ? '0' : '4',
    agent: [
      {
        type: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110153', display: 'Source Role ID' }] },
        who: { identifier: { system: `https://heron.dev/fhir/agent/${e.agentKind}`, value: e.agentId } },
        requestor: true,
        ...(e.agentRole ? { role: [{ text: e.agentRole }] } : {}),
        ...(e.ip ? { network: { address: e.ip, type: '2' as const } } : {}),
        ...(e.userAgent ? { name: e.userAgent } : {}),
      },
    ],
    source: { observer: { display: 'Heron' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }] },
  };
  if (e.outcome !== 'success' && e.reason) event.outcomeDesc = e.reason;
  if (e.purpose) event.purposeOfEvent = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: e.purpose }], ...(e.reason ? { text: e.reason } : {}) }];
  if (entity.length > 0) event.entity = entity;
  return event;
}

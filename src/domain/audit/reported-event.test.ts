import type { AuditEvent } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../access/principal.ts';
import type { Ctx } from '../context.ts';
import { REPORTED_BY_SYSTEM, reportedAuditEvent, reportedEntry, withoutNetworkDetails } from './reported-event.ts';

const ctxAs = (principal: Principal): Ctx => ({ tenant: 't1', principal, store: undefined as never, audit: { record() {} }, origin: { ip: '10.0.0.9', userAgent: 'Viewer/1' } });
const backend = ctxAs({ kind: 'client', id: 'svc-1', tenant: 't1', scopes: ['system/AuditEvent.c'] });

const event: AuditEvent = {
  resourceType: 'AuditEvent',
  meta: { profile: ['https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.Read'], tag: [{ system: 'urn:x', code: 'y' }] },
  type: { code: 'rest' },
  recorded: '2026-12-05T08:00:00Z',
  outcome: '4',
  purposeOfEvent: [{ text: 'no code' }, { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'ETREAT' }] }],
  agent: [{ who: { reference: 'Practitioner/p9', display: 'claims to be p9' }, requestor: true, network: { address: '192.0.2.1', type: '2' } }],
  source: { observer: { display: 'viewer' } },
  entity: [{ what: { reference: 'Patient/a' } }, { what: { reference: 'http://elsewhere.example/fhir/Observation/1' } }, { what: { reference: 'Observation/2' } }, { what: { reference: 'Observation/2' } }],
};

describe('reported AuditEvents', () => {
  it("record the reporter from the principal, never the body's agents, with the event's patients, entities, outcome and purpose", () => {
    const entry = reportedEntry(backend, event, 1234);
    expect(entry).toEqual({
      tenant: 't1',
      recorded: 1234,
      action: 'reported',
      outcome: 'failure',
      agentKind: 'client',
      agentId: 'svc-1',
      clientId: 'svc-1',
      resourceType: 'AuditEvent',
      entities: ['Patient/a', 'Observation/2'],
      patients: ['Patient/a'],
      ip: '10.0.0.9',
      userAgent: 'Viewer/1',
      purpose: 'ETREAT',
      reported: JSON.stringify(event),
    });
    const user = reportedEntry(ctxAs({ kind: 'user', id: 'u1', tenant: 't1', scopes: [], role: 'nurse', clientId: 'app-7' }), { ...event, outcome: '0' }, 1);
    expect(user).toMatchObject({ agentKind: 'user', agentId: 'u1', agentRole: 'nurse', clientId: 'app-7', outcome: 'success' });
  });

  it('read back as sent, with the id, arrival time and a tag naming the reporter added to the sender’s meta', () => {
    const stored = { ...reportedEntry(backend, event, Date.parse('2026-12-05T09:00:00Z')), seq: 42, prevHash: '', hash: '' };
    const read = reportedAuditEvent({ ...stored, reported: stored.reported! });
    const { id, meta, ...content } = read;
    const { meta: sentMeta, ...sentContent } = event;
    expect(id).toBe('42');
    expect(content).toEqual(sentContent);
    expect(meta).toEqual({
      profile: sentMeta!.profile,
      lastUpdated: '2026-12-05T09:00:00.000Z',
      tag: [{ system: 'urn:x', code: 'y' }, { system: REPORTED_BY_SYSTEM, code: 'svc-1', display: 'Reported by client svc-1' }],
    });
    expect(Object.keys(read).slice(0, 3)).toEqual(['resourceType', 'id', 'meta']);
  });

  it("refuse a body that names its own reporter, and patient-bound access naming another patient or none", () => {
    expect(() => reportedEntry(backend, { ...event, meta: { tag: [{ system: REPORTED_BY_SYSTEM, code: 'someone' }] } }, 1)).toThrow(/set by Heron/);
    const bound = ctxAs({ kind: 'user', id: 'd1', tenant: 't1', scopes: ['patient/AuditEvent.c'], role: 'physician', patients: ['a'] });
    expect(reportedEntry(bound, event, 1).patients).toEqual(['Patient/a']);
    expect(() => reportedEntry(bound, { ...event, entity: [...event.entity!, { what: { reference: 'Patient/b' } }] }, 1)).toThrow(/only the record/);
    expect(() => reportedEntry(bound, { ...event, entity: [{ what: { reference: 'Observation/2' } }] }, 1)).toThrow(/only the record/);
  });

  it("leave agents' network addresses out of what a patient sees", () => {
    expect(JSON.parse(withoutNetworkDetails(JSON.stringify(event))).agent).toEqual([{ who: event.agent[0]!.who, requestor: true }]);
  });
});

import type { Observation, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import type { StoredVersion, StoreReader, StoreTransaction, VersionWrite } from '../../store/store.ts';
import type { Ctx } from '../context.ts';
import type { AuditRecord } from '../audit/audit-sink.ts';
import { isNormalResult, isReviewableLabResult, resultReviewRule, reviewerOf, reviewTaskFor } from './result-review.ts';

const LAB = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }];
const obs = (over: Partial<Observation> = {}): Observation => ({
  resourceType: 'Observation',
  status: 'final',
  category: LAB,
  code: { text: 'Potassium' },
  subject: { reference: 'Patient/p1' },
  ...over,
});

function storeWith(resources: Resource[]): StoreReader {
  return {
    readCurrent: async (type: string, id: string) => {
      const r = resources.find((x) => x.resourceType === type && x.id === id);
      return r === undefined ? undefined : ({ resourceType: type, id, versionId: '1', deleted: false, resource: r } as StoredVersion);
    },
  } as unknown as StoreReader;
}

describe('lab results for review', () => {
  it('reviews final lab Observations of a patient, not vital signs, drafts or results without a patient', () => {
    expect(isReviewableLabResult(obs())).toBe(true);
    expect(isReviewableLabResult(obs({ status: 'registered' }))).toBe(false);
    expect(isReviewableLabResult(obs({ category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }] }))).toBe(false);
    expect(isReviewableLabResult(obs({ subject: { reference: 'Group/g' } }))).toBe(false);
    expect(isReviewableLabResult({ resourceType: 'DiagnosticReport', status: 'final', code: {}, subject: { reference: 'Patient/p1' }, category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB' }] }] })).toBe(true);
  });

  it('calls a result normal only when every interpretation is N', () => {
    const N = { coding: [{ code: 'N' }] };
    const H = { coding: [{ code: 'H' }] };
    expect(isNormalResult(obs({ interpretation: [N] }))).toBe(true);
    expect(isNormalResult(obs({ interpretation: [N, H] }))).toBe(false);
    expect(isNormalResult(obs())).toBe(false);
  });

  it('gives the review to the ordering clinician, else the performer, else the general practitioner', async () => {
    const store = storeWith([
      { resourceType: 'ServiceRequest', id: 'o1', status: 'active', intent: 'order', subject: { reference: 'Patient/p1' }, requester: { reference: 'Practitioner/orderer' } },
      { resourceType: 'Patient', id: 'p1', generalPractitioner: [{ reference: 'Practitioner/gp' }] },
    ]);
    expect(await reviewerOf(store, obs({ basedOn: [{ reference: 'ServiceRequest/o1' }], performer: [{ reference: 'Practitioner/lab' }] }))).toBe('Practitioner/orderer');
    expect(await reviewerOf(store, obs({ performer: [{ reference: 'Organization/lab' }, { reference: 'Practitioner/lab' }] }))).toBe('Practitioner/lab');
    expect(await reviewerOf(store, obs())).toBe('Practitioner/gp');
    expect(await reviewerOf(storeWith([]), obs())).toBeUndefined();
  });

  it('makes a requested review Task focused on the result, for the patient, urgent unless normal', () => {
    const task = reviewTaskFor(obs(), 'Observation/o9', 'Practitioner/gp', '2026-12-05T10:00:00.000Z');
    expect(task).toMatchObject({ status: 'requested', intent: 'order', priority: 'urgent', focus: { reference: 'Observation/o9' }, for: { reference: 'Patient/p1' }, owner: { reference: 'Practitioner/gp' }, description: 'Review Potassium' });
    expect(reviewTaskFor(obs({ interpretation: [{ coding: [{ code: 'N' }] }] }), 'Observation/o9', undefined, 'x')).not.toHaveProperty('owner');
  });
});

describe('the result review rule', () => {
  const run = async (principalKind: 'user' | 'system', current?: StoredVersion) => {
    const written: VersionWrite[] = [];
    const audited: AuditRecord[] = [];
    const tx = Object.assign(storeWith([]), { writeVersion: async (w: VersionWrite) => (written.push(w), {} as StoredVersion) }) as unknown as StoreTransaction;
    const ctx = { tenant: 't', principal: { kind: principalKind, id: 'u', tenant: 't', scopes: [] }, origin: {}, audit: { record: (r: AuditRecord) => void audited.push(r) } } as unknown as Ctx;
    await resultReviewRule({ ctx, tx, write: { resourceType: 'Observation', id: 'o1', method: 'POST', resource: obs() }, current: async () => current });
    return { written, audited };
  };

  it('writes the review Task of a new result, audited', async () => {
    const { written, audited } = await run('user');
    expect(written).toHaveLength(1);
    expect(written[0].resource).toMatchObject({ resourceType: 'Task', focus: { reference: 'Observation/o1' } });
    expect(audited[0]).toMatchObject({ action: 'create', resourceType: 'Task', patients: ['Patient/p1'] });
  });

  it('writes none for an update of a result, or for results the system loads', async () => {
    expect((await run('user', { deleted: false } as StoredVersion)).written).toHaveLength(0);
    expect((await run('system')).written).toHaveLength(0);
  });
});

describe('the review Task of a restricted result', () => {
  it('carries the result’s security labels, so it is as closed as the result', () => {
    const security = [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }];
    expect(reviewTaskFor(obs({ meta: { security } }), 'Observation/o1', undefined, 'x').meta).toEqual({ security });
  });
});

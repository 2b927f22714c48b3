import { describe, expect, it } from 'vitest';
import type { DocumentReference, Provenance } from '@medplum/fhirtypes';
import type { StoredVersion, StoreTransaction, VersionWrite } from '../../store/store.ts';
import type { Principal, Role } from '../access/principal.ts';
import type { Ctx } from '../context.ts';
import { FhirError } from '../../fhir/outcome.ts';
import { COSIGNER_URL, signatureExtension } from '../notes/note-signature.ts';
import { signatureProvenanceRule, signedNoteRule } from './signed-notes.ts';

const NOW = Date.parse('2026-12-05T10:00:00Z');
const user = (role: Role, fhirUser: string): Principal => ({ kind: 'user', id: `u-${fhirUser}`, tenant: 'p1', scopes: ['user/*.cruds'], role, fhirUser });
const ctxOf = (principal: Principal): Ctx => ({ tenant: 'p1', principal, clock: () => NOW }) as unknown as Ctx;

const draft: DocumentReference = {
  resourceType: 'DocumentReference',
  id: 'n1',
  status: 'current',
  docStatus: 'preliminary',
  subject: { reference: 'Patient/p' },
  author: [{ reference: 'Practitioner/doc' }],
  content: [{ attachment: { contentType: 'text/markdown', data: 'U09BUA==' } }],
};
const sig = (party: string, mode: 'legal' | 'professional', time = '2026-12-05T10:00:00Z') => signatureExtension({ party: { reference: party }, time, mode });
const signedBy = (doc: DocumentReference, party: string): DocumentReference => ({ ...doc, docStatus: 'final', authenticator: { reference: party }, extension: [...(doc.extension ?? []), sig(party, 'legal')] });

function run(principal: Principal, method: VersionWrite['method'], after: DocumentReference | undefined, before: DocumentReference | undefined, stored: Record<string, DocumentReference> = {}) {
  const written: VersionWrite[] = [];
  const tx = {
    readCurrent: async (_type: string, id: string) => (stored[id] ? ({ resource: stored[id], versionId: '1', deleted: false } as unknown as StoredVersion) : undefined),
    writeVersion: async (w: VersionWrite) => void written.push(w),
  } as unknown as StoreTransaction;
  const current = before ? ({ resource: before, versionId: '3', deleted: false } as unknown as StoredVersion) : undefined;
  const promise = signedNoteRule({ ctx: ctxOf(principal), tx, write: { resourceType: 'DocumentReference', id: 'n1', method, ...(after ? { resource: after } : {}) }, current: async () => current });
  return { promise, written };
}

async function refusal(promise: Promise<void>): Promise<FhirError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(FhirError);
  return err as FhirError;
}

describe('signed notes', () => {
  it('the author signs: the note becomes final and a Provenance of the next version is written', async () => {
    const { promise, written } = run(user('physician', 'Practitioner/doc'), 'PUT', signedBy(draft, 'Practitioner/doc'), draft);
    await promise;
    expect(written).toHaveLength(1);
    const provenance = written[0]!.resource as Provenance;
    expect(provenance.target).toEqual([{ reference: 'DocumentReference/n1/_history/4' }]);
    expect(provenance.signature?.[0]).toMatchObject({ when: '2026-12-05T10:00:00Z', who: { reference: 'Practitioner/doc' } });
    expect(provenance.agent[0]!.type?.coding?.[0]?.code).toBe('author');
  });

  it('a signed note refuses every change and deletion, by anyone, naming who signed and when', async () => {
    const signed = signedBy(draft, 'Practitioner/doc');
    for (const [principal, method, after] of [
      [user('physician', 'Practitioner/doc'), 'PUT', { ...signed, description: 'changed' }],
      [user('physician', 'Practitioner/doc'), 'PATCH', { ...signed, docStatus: 'preliminary' }],
      [user('physician', 'Practitioner/doc'), 'DELETE', undefined],
      [{ kind: 'system', id: 'heron-cli', tenant: 'p1', scopes: ['system/*.*'] }, 'PUT', { ...signed, status: 'entered-in-error' }],
      [user('physician', 'Practitioner/doc'), 'PUT', signed],
    ] as [Principal, VersionWrite['method'], DocumentReference | undefined][]) {
      const err = await refusal(run(principal, method, after, signed).promise);
      expect(err.category).toBe('conflict');
      expect(err.message).toMatch(/signed by Practitioner\/doc on 5 Dec 2026, 10:00 UTC.*Add an addendum/);
    }
  });

  it('only an author signs, as themself, now', async () => {
    expect((await refusal(run(user('physician', 'Practitioner/other'), 'PUT', signedBy(draft, 'Practitioner/other'), draft).promise)).category).toBe('forbidden');
    expect((await refusal(run(user('physician', 'Practitioner/other'), 'PUT', signedBy(draft, 'Practitioner/doc'), draft).promise)).category).toBe('forbidden');
    const selfAdded = { ...signedBy(draft, 'Practitioner/other'), author: [...draft.author!, { reference: 'Practitioner/other' }] };
    expect((await refusal(run(user('physician', 'Practitioner/other'), 'PUT', selfAdded, draft).promise)).message).toMatch(/Only an author/);
    const late = { ...draft, docStatus: 'final' as const, authenticator: { reference: 'Practitioner/doc' }, extension: [sig('Practitioner/doc', 'legal', '2026-12-04T10:00:00Z')] };
    expect((await refusal(run(user('physician', 'Practitioner/doc'), 'PUT', late, draft).promise)).category).toBe('unprocessable');
    const notFinal = { ...signedBy(draft, 'Practitioner/doc'), docStatus: 'preliminary' as const };
    expect((await refusal(run(user('physician', 'Practitioner/doc'), 'PUT', notFinal, draft).promise)).category).toBe('unprocessable');
  });

  it('a notes signed elsewhere may be imported as it is', async () => {
    const { promise, written } = run({ kind: 'system', id: 'heron-cli', tenant: 'p1', scopes: ['system/*.*'] }, 'POST', signedBy(draft, 'Practitioner/x'), undefined);
    await promise;
    expect(written).toEqual([]);
  });

  it('a trainee signs as preliminary naming a supervisor, who alone co-signs it to final', async () => {
    const resident = user('resident', 'Practitioner/res');
    const byResident: DocumentReference = { ...draft, author: [{ reference: 'Practitioner/res' }], extension: [{ url: COSIGNER_URL, valueReference: { reference: 'Practitioner/doc' } }] };
    const traineeFinal = await refusal(run(resident, 'PUT', signedBy(byResident, 'Practitioner/res'), byResident).promise);
    expect(traineeFinal.message).toMatch(/final only when the supervisor co-signs/);
    const signedByResident = { ...byResident, extension: [...byResident.extension!, sig('Practitioner/res', 'professional')] };
    await run(resident, 'PUT', signedByResident, byResident).promise;
    const withoutSupervisor = { ...signedByResident, extension: [sig('Practitioner/res', 'professional')] };
    expect((await refusal(run(resident, 'PUT', withoutSupervisor, { ...byResident, extension: [] }).promise)).message).toMatch(/Name the supervising physician/);

    const cosigned = signedBy(signedByResident, 'Practitioner/doc');
    expect((await refusal(run(user('physician', 'Practitioner/other'), 'PUT', signedBy(signedByResident, 'Practitioner/other'), signedByResident).promise)).category).toBe('forbidden');
    expect((await refusal(run(resident, 'PUT', cosigned, signedByResident).promise)).category).toBe('forbidden');
    const changed = await refusal(run(user('physician', 'Practitioner/doc'), 'PUT', { ...cosigned, description: 'edited' }, signedByResident).promise);
    expect(changed.category).toBe('conflict');
    const { promise, written } = run(user('physician', 'Practitioner/doc'), 'PUT', cosigned, signedByResident);
    await promise;
    expect((written[0]!.resource as Provenance).agent[0]!.type?.coding?.[0]?.code).toBe('attester');
    expect((await refusal(run(user('physician', 'Practitioner/doc'), 'PUT', { ...cosigned, description: 'x' }, cosigned).promise)).category).toBe('conflict');
  });

  it('an addendum appends to a signed note of the same patient', async () => {
    const signed = signedBy({ ...draft, id: 'orig' }, 'Practitioner/doc');
    const addendum: DocumentReference = { ...draft, id: 'n1', relatesTo: [{ code: 'appends', target: { reference: 'DocumentReference/orig' } }] };
    await run(user('physician', 'Practitioner/doc'), 'POST', addendum, undefined, { orig: signed }).promise;
    expect((await refusal(run(user('physician', 'Practitioner/doc'), 'POST', addendum, undefined, { orig: { ...draft, id: 'orig' } }).promise)).message).toMatch(/Only a signed note takes an addendum/);
    expect((await refusal(run(user('physician', 'Practitioner/doc'), 'POST', { ...addendum, subject: { reference: 'Patient/q' } }, undefined, { orig: signed }).promise)).message).toMatch(/same patient/);
  });

  it('signature Provenances are Heron’s to write, and never change', async () => {
    const provenance: Provenance = {
      resourceType: 'Provenance',
      target: [{ reference: 'DocumentReference/n1/_history/2' }],
      recorded: '2026-12-05T10:00:00Z',
      agent: [{ who: { reference: 'Practitioner/doc' } }],
      signature: [{ type: [{ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.1' }], when: '2026-12-05T10:00:00Z', who: { reference: 'Practitioner/doc' } }],
    };
    const rule = (principal: Principal, method: VersionWrite['method'], before?: Provenance) =>
      signatureProvenanceRule({ ctx: ctxOf(principal), tx: {} as StoreTransaction, write: { resourceType: 'Provenance', id: 'pv', method, ...(method === 'DELETE' ? {} : { resource: provenance }) }, current: async () => (before ? ({ resource: before, versionId: '1', deleted: false } as unknown as StoredVersion) : undefined) });
    expect((await refusal(rule(user('physician', 'Practitioner/doc'), 'POST'))).category).toBe('forbidden');
    expect((await refusal(rule({ kind: 'system', id: 'cli', tenant: 'p1', scopes: [] }, 'DELETE', provenance))).category).toBe('conflict');
    await rule({ kind: 'system', id: 'cli', tenant: 'p1', scopes: [] }, 'POST');
  });
});

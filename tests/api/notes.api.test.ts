/**
 * Visit notes over HTTP on both databases (docs/notes.md): only an author signs a note, as
 * themself; the signature makes it final and records a Provenance of the signed version; a
 * signed note then refuses every change by every route — PUT, JSON Patch, FHIRPath Patch,
 * conditional update and patch, transaction and batch entries, DELETE and conditional delete,
 * `heron import` — with a 409 naming who signed and when; an addendum appends to it; a
 * resident's note is final only once the supervisor it names co-signs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authorizeUrl, fetchHttp, pkce, signInAndConsent } from '../../src/api/auth/test-flow.ts';
import { HeronServer, STORE_KINDS, type HttpResult, type RequestOptions, type Tenant } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';
import { expectOutcome, expectStatus } from './fhir-expect.ts';

const PASSWORD = 'Quiet-Meadow-Compass-77';
const REDIRECT = 'http://localhost:4567/callback';
const ATTESTER = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-DocumentReference.attester';
const COSIGNER = 'https://heron.dev/fhir/StructureDefinition/note-cosigner';

type Json = Record<string, any>;

describe.each(STORE_KINDS)('visit notes (%s)', (kind) => {
  let server: HeronServer;
  let t: Tenant;
  useHeronServer(kind, (started) => {
    server = started;
    t = started.default;
  });

  /** A signed-in user of the practice (authorization code flow through a registered app). */
  async function signedInUser(role: string, practitioner: string): Promise<(method: string, path: string, o?: RequestOptions) => Promise<HttpResult>> {
    const practice = t.practiceId;
    const email = `${role}-${practitioner}@example.org`.toLowerCase();
    const created = await server.cli(['user', 'create', '--practice', practice, '--role', role, '--email', email, '--password', PASSWORD, '--fhir-user', `Practitioner/${practitioner}`]);
    expect(created.code, created.stderr).toBe(0);
    const registered = await server.cli(['app', 'register', '--practice', practice, '--name', `Notes ${practitioner}`, '--redirect-uri', REDIRECT, '--scopes', 'openid fhirUser user/*.cruds', '--json']);
    expect(registered.code, registered.stderr).toBe(0);
    const app = JSON.parse(registered.stdout.trim().split('\n').at(-1)!);
    const { verifier, challenge } = pkce();
    const url = authorizeUrl(server.origin, { clientId: app.client_id, redirectUri: REDIRECT, scope: 'openid fhirUser user/*.cruds', aud: server.fhirBase, challenge, method: 'S256' });
    const { redirect } = await signInAndConsent(fetchHttp, server.origin, url, { email, password: PASSWORD });
    const basic = `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}`;
    const form = new URLSearchParams({ grant_type: 'authorization_code', code: redirect.searchParams.get('code')!, code_verifier: verifier, redirect_uri: REDIRECT });
    const exchanged = await fetchHttp('POST', `${server.origin}/oauth2/token`, { headers: { authorization: basic }, form });
    expect(exchanged.status, exchanged.text).toBe(200);
    const token = JSON.parse(exchanged.text).access_token as string;
    return (method, path, o = {}) => t.fhir(method, path, { ...o, token });
  }

  let patient: string;
  let doc: Awaited<ReturnType<typeof signedInUser>>;
  let other: Awaited<ReturnType<typeof signedInUser>>;
  let resident: Awaited<ReturnType<typeof signedInUser>>;
  const signature = (party: string, mode: 'legal' | 'professional') => ({
    url: ATTESTER,
    extension: [
      { url: 'mode', valueCodeableConcept: { coding: [{ system: 'http://hl7.org/fhir/composition-attestation-mode', code: mode }] } },
      { url: 'time', valueDateTime: new Date().toISOString() },
      { url: 'party', valueReference: { reference: party, display: party === 'Practitioner/doc' ? 'Dr. Dana Whitfield' : party } },
    ],
  });
  const note = (author: string, text: string, extra: Json = {}): Json => ({
    resourceType: 'DocumentReference',
    status: 'current',
    docStatus: 'preliminary',
    type: { coding: [{ system: 'http://loinc.org', code: '11506-3', display: 'Progress note' }] },
    category: [{ coding: [{ system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category', code: 'clinical-note' }] }],
    subject: { reference: `Patient/${patient}` },
    date: new Date().toISOString(),
    author: [{ reference: author }],
    identifier: [{ system: 'urn:heron-test:note', value: `${author}-${Math.random()}` }],
    content: [{ attachment: { contentType: 'text/markdown', data: Buffer.from(text).toString('base64') } }],
    ...extra,
  });
  const signed = (n: Json, signer: string): Json => ({ ...n, docStatus: 'final', authenticator: { reference: signer }, extension: [...(n.extension ?? []), signature(signer, 'legal')] });

  /** Creates a note as `author`'s user and signs it; returns the stored signed version. */
  async function signedNote(text: string, extra: Json = {}): Promise<Json> {
    const created = await doc('POST', 'DocumentReference', { body: note('Practitioner/doc', text, extra) });
    expectStatus(created, 201);
    const put = await doc('PUT', `DocumentReference/${created.body.id}`, { body: signed(created.body, 'Practitioner/doc'), headers: { 'if-match': 'W/"1"' } });
    expectStatus(put, 200);
    return put.body;
  }

  it('sets up a patient and three clinicians', async () => {
    patient = (await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Notes', given: ['Ana'] }] } })).body.id;
    [doc, other, resident] = [await signedInUser('physician', 'doc'), await signedInUser('physician', 'other'), await signedInUser('resident', 'res')];
  });

  it('only an author signs; signing makes the note final and records a Provenance of the signed version', async () => {
    const created = await doc('POST', 'DocumentReference', { body: note('Practitioner/doc', 'S: cough') });
    expectStatus(created, 201);
    const id = created.body.id as string;
    const byOther = await other('PUT', `DocumentReference/${id}`, { body: signed(created.body, 'Practitioner/other') });
    expectOutcome(byOther, 403);
    expect(byOther.body.issue[0].diagnostics).toMatch(/Only an author of the note may sign it/);
    const asSomeoneElse = await other('PUT', `DocumentReference/${id}`, { body: signed(created.body, 'Practitioner/doc') });
    expectOutcome(asSomeoneElse, 403);
    const client = await t.fhir('PUT', `DocumentReference/${id}`, { body: { ...created.body, description: 'drafts are editable' } });
    expectStatus(client, 200);

    const put = await doc('PUT', `DocumentReference/${id}`, { body: signed(client.body, 'Practitioner/doc'), headers: { 'if-match': 'W/"2"' } });
    expectStatus(put, 200);
    expect(put.body).toMatchObject({ docStatus: 'final', authenticator: { reference: 'Practitioner/doc' }, meta: { versionId: '3' } });
    const provenance = await doc('GET', `Provenance?target=DocumentReference/${id}`);
    expect(provenance.body.entry).toHaveLength(1);
    expect(provenance.body.entry[0].resource).toMatchObject({
      target: [{ reference: `DocumentReference/${id}/_history/3` }],
      agent: [{ type: { coding: [{ code: 'author' }] }, who: { reference: 'Practitioner/doc' } }],
      signature: [{ type: [{ code: '1.2.840.10065.1.12.1.1' }], who: { reference: 'Practitioner/doc' } }],
    });
  });

  it('a signed note refuses every change, by every route, and stays as signed', async () => {
    const stored = await signedNote('S: headache\nP: rest');
    const id = stored.id as string;
    const changed: Json = { ...stored, description: 'changed after signing' };
    delete changed.meta;
    const identifier = `${stored.identifier[0].system}|${stored.identifier[0].value}`;
    const jsonPatch = [{ op: 'replace', path: '/docStatus', value: 'preliminary' }];
    const fhirPathPatch = {
      resourceType: 'Parameters',
      parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'replace' }, { name: 'path', valueString: 'DocumentReference.docStatus' }, { name: 'value', valueCode: 'preliminary' }] }],
    };
    const jsonPatchBinary = { resourceType: 'Binary', contentType: 'application/json-patch+json', data: Buffer.from(JSON.stringify(jsonPatch)).toString('base64') };
    const attempts: [string, () => Promise<HttpResult>][] = [
      ['PUT by the author', () => doc('PUT', `DocumentReference/${id}`, { body: changed })],
      ['PUT with If-Match', () => doc('PUT', `DocumentReference/${id}`, { body: changed, headers: { 'if-match': 'W/"2"' } })],
      ['PUT by a backend service', () => t.fhir('PUT', `DocumentReference/${id}`, { body: changed })],
      ['entered-in-error', () => doc('PUT', `DocumentReference/${id}`, { body: { ...changed, description: undefined, status: 'entered-in-error' } })],
      ['JSON Patch', () => doc('PATCH', `DocumentReference/${id}`, { body: JSON.stringify(jsonPatch), headers: { 'content-type': 'application/json-patch+json' } })],
      ['FHIRPath Patch', () => doc('PATCH', `DocumentReference/${id}`, { body: fhirPathPatch })],
      ['conditional update', () => doc('PUT', `DocumentReference?identifier=${encodeURIComponent(identifier)}`, { body: changed })],
      ['conditional patch', () => t.fhir('PATCH', `DocumentReference?identifier=${encodeURIComponent(identifier)}`, { body: fhirPathPatch })],
      ['DELETE', () => doc('DELETE', `DocumentReference/${id}`)],
      ['conditional delete', () => t.fhir('DELETE', `DocumentReference?identifier=${encodeURIComponent(identifier)}`)],
      ['transaction PUT', () => t.fhir('POST', '', { body: { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: changed, request: { method: 'PUT', url: `DocumentReference/${id}` } }] } })],
      ['transaction DELETE', () => doc('POST', '', { body: { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'DELETE', url: `DocumentReference/${id}` } }] } })],
    ];
    for (const [what, attempt] of attempts) {
      const res = await attempt();
      expectOutcome(res, 409);
      expect(res.body.issue[0].code, what).toBe('business-rule');
      expect(res.body.issue[0].diagnostics, what).toMatch(/^(Bundle\.entry\[0\] \([A-Z]+ DocumentReference\/[^)]+\): )?This note was signed by Dr\. Dana Whitfield on \d+ \w+ \d{4}, \d\d:\d\d UTC; a signed note cannot be changed.*Add an addendum instead\.$/);
    }
    // A batch answers per entry: each entry refused with the same outcome.
    const batch = await t.fhir('POST', '', {
      body: {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { resource: changed, request: { method: 'PUT', url: `DocumentReference/${id}` } },
          { resource: jsonPatchBinary, request: { method: 'PATCH', url: `DocumentReference/${id}` } },
          { request: { method: 'DELETE', url: `DocumentReference/${id}` } },
        ],
      },
    });
    expectStatus(batch, 200);
    expect(batch.body.entry.map((e: Json) => e.response.status.slice(0, 3))).toEqual(['409', '409', '409']);
    expect(batch.body.entry[0].response.outcome.issue[0].diagnostics).toMatch(/Add an addendum instead/);

    const dir = await mkdtemp(join(tmpdir(), 'heron-notes-import-'));
    try {
      await writeFile(join(dir, 'notes.ndjson'), `${JSON.stringify(changed)}\n`);
      const imported = await server.cli(['import', dir, '--practice', t.practiceId]);
      expect(imported.code).toBe(1);
      expect(imported.stdout + imported.stderr).toMatch(/signed by Dr\. Dana Whitfield/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    const after = await doc('GET', `DocumentReference/${id}`);
    expect(after.body).toEqual(stored);
    const provenance = (await doc('GET', `Provenance?target=DocumentReference/${id}`)).body.entry[0].resource;
    expectOutcome(await doc('PUT', `Provenance/${provenance.id}`, { body: { ...provenance, recorded: '2020-01-01T00:00:00Z' } }), 409);
    expectOutcome(await doc('DELETE', `Provenance/${provenance.id}`), 409);
    const forged = { ...provenance, target: [{ reference: `DocumentReference/${id}/_history/1` }] };
    delete forged.id;
    expectOutcome(await doc('POST', 'Provenance', { body: forged }), 403);
  });

  it('an addendum appends to a signed note, is signed and locked itself, and is found from the note', async () => {
    const original = await signedNote('A: sinusitis');
    const draft = await doc('POST', 'DocumentReference', { body: note('Practitioner/doc', 'Addendum: culture negative', { relatesTo: [{ code: 'appends', target: { reference: `DocumentReference/${original.id}` } }] }) });
    expectStatus(draft, 201);
    const signedAddendum = await doc('PUT', `DocumentReference/${draft.body.id}`, { body: signed(draft.body, 'Practitioner/doc'), headers: { 'if-match': 'W/"1"' } });
    expectStatus(signedAddendum, 200);
    const found = await doc('GET', `DocumentReference?relatesto=DocumentReference/${original.id}`);
    expect(found.body.entry.map((e: Json) => e.resource.id)).toEqual([draft.body.id]);
    expect(found.body.entry[0].resource.extension[0].extension.find((x: Json) => x.url === 'party').valueReference.display).toBe('Dr. Dana Whitfield');
    expectOutcome(await doc('PUT', `DocumentReference/${draft.body.id}`, { body: { ...signedAddendum.body, description: 'x' } }), 409);

    // The home screen's count of a clinician's unsigned notes: notes without an authenticator.
    const unsignedCount = async () => (await doc('GET', 'DocumentReference?author=Practitioner/doc&authenticator:missing=true&_summary=count')).body.total as number;
    const before = await unsignedCount();
    const unsigned = await doc('POST', 'DocumentReference', { body: note('Practitioner/doc', 'draft') });
    expect(await unsignedCount()).toBe(before + 1);
    const toUnsigned = await doc('POST', 'DocumentReference', { body: note('Practitioner/doc', 'x', { relatesTo: [{ code: 'appends', target: { reference: `DocumentReference/${unsigned.body.id}` } }] }) });
    expectOutcome(toUnsigned, 422);
    expect(toUnsigned.body.issue[0].diagnostics).toMatch(/Only a signed note takes an addendum/);
  });

  it('a resident signs as preliminary; only the named supervisor co-signs it to final', async () => {
    const draft = await resident('POST', 'DocumentReference', { body: note('Practitioner/res', 'S: sore throat', { extension: [{ url: COSIGNER, valueReference: { reference: 'Practitioner/doc', display: 'Dr. Dana Whitfield' } }] }) });
    expectStatus(draft, 201);
    const id = draft.body.id as string;
    const alone = await resident('PUT', `DocumentReference/${id}`, { body: signed(draft.body, 'Practitioner/res') });
    expectOutcome(alone, 422);
    expect(alone.body.issue[0].diagnostics).toMatch(/final only when the supervisor co-signs/);

    const bySelf = await resident('PUT', `DocumentReference/${id}`, { body: { ...draft.body, extension: [...draft.body.extension, signature('Practitioner/res', 'professional')] }, headers: { 'if-match': 'W/"1"' } });
    expectStatus(bySelf, 200);
    expect(bySelf.body.docStatus).toBe('preliminary');
    expectOutcome(await resident('PUT', `DocumentReference/${id}`, { body: { ...bySelf.body, description: 'edited' } }), 409);
    expectOutcome(await other('PUT', `DocumentReference/${id}`, { body: signed(bySelf.body, 'Practitioner/other') }), 403);
    expectOutcome(await resident('PUT', `DocumentReference/${id}`, { body: signed(bySelf.body, 'Practitioner/res') }), 403);

    const cosigned = await doc('PUT', `DocumentReference/${id}`, { body: signed(bySelf.body, 'Practitioner/doc'), headers: { 'if-match': 'W/"2"' } });
    expectStatus(cosigned, 200);
    expect(cosigned.body).toMatchObject({ docStatus: 'final', authenticator: { reference: 'Practitioner/doc' } });
    const provenance = await doc('GET', `Provenance?target=DocumentReference/${id}&_sort=recorded`);
    expect(provenance.body.entry.map((e: Json) => [e.resource.target[0].reference, e.resource.agent[0].type.coding[0].code, e.resource.agent[0].who.reference])).toEqual([
      [`DocumentReference/${id}/_history/2`, 'author', 'Practitioner/res'],
      [`DocumentReference/${id}/_history/3`, 'attester', 'Practitioner/doc'],
    ]);
    expectOutcome(await doc('PUT', `DocumentReference/${id}`, { body: { ...cosigned.body, description: 'x' } }), 409);
  });
});

/**
 * A resource a caller may not see must be answered exactly like an id that was never used —
 * status, OperationOutcome, headers, body — on every route, alone and as a batch or transaction
 * entry, on both stores. Callers: patient A, a physician's app bound to A (patient/ scopes), a
 * full and a limited proxy of A, and an app bound to A with a granular scope. Targets: patient B's
 * record, A's own deleted resource, and what each caller's own rules hide of A's record.
 *
 * The table of cases must reach every kind of route `dispatch` knows (`ROUTE_ACTIONS`, which the
 * Route type forces a new route into, plus a walk over path shapes through `resolve`), so a new
 * route cannot be forgotten here.
 */
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../domain/access/principal.ts';
import type { Ctx } from '../../domain/context.ts';
import { FhirError } from '../../fhir/outcome.ts';
import { newResourceId } from '../../fhir/resource-id.ts';
import { BASE, startTestApp, type TestApp } from '../test-app.ts';
import { dispatch, resolve, ROUTE_ACTIONS } from './dispatch.ts';
import type { FhirRequest } from './fhir-request.ts';

/** What a case addresses: a resource (its type and id) and, when it is a Patient, its compartment. */
interface Target {
  type: string;
  id: string;
}

interface Case {
  method: FhirRequest['method'];
  /** Path and query below the FHIR base. */
  url: string;
  body?: unknown;
  headers?: FhirRequest['headers'];
}

const VITAL = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] };
const LAB = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] };

/** A valid resource of `type` with `id` in `patient`'s record. */
function resourceOf(type: string, id: string | undefined, patient: string): Resource {
  const subject = { reference: `Patient/${patient}` };
  const withId = id === undefined ? {} : { id };
  switch (type) {
    case 'Patient':
      return { resourceType: 'Patient', ...withId, name: [{ family: 'Written' }] };
    case 'Observation':
      return { resourceType: 'Observation', ...withId, status: 'final', category: [VITAL], code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }], text: 'pulse' }, subject, effectiveDateTime: '2024-05-01T10:00:00Z' };
    case 'Condition':
      return { resourceType: 'Condition', ...withId, code: { text: 'written' }, subject };
    case 'Encounter':
      return { resourceType: 'Encounter', ...withId, status: 'finished', class: { code: 'AMB' }, subject };
    case 'Binary':
      return { resourceType: 'Binary', ...withId, contentType: 'text/plain', data: Buffer.from('A note').toString('base64'), securityContext: subject };
    default:
      return { resourceType: type, ...withId } as Resource;
  }
}

const JSON_PATCH = { contentType: 'application/json-patch+json' };
const META = { resourceType: 'Parameters', parameter: [{ name: 'meta', valueMeta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] } }] };
const REVIEW = { resourceType: 'Parameters', parameter: [{ name: 'verdict', valueCode: 'appropriate' }, { name: 'note', valueString: 'Seen in the emergency room' }] };
const REASON = { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'Unconscious in the emergency room' }] };

/**
 * The cases for one target; `a` is the caller's patient. Cases naming a compartment apply to
 * Patient targets only. Nothing here may succeed in creating a resource (a new server-assigned id
 * would differ between the two answers by design).
 */
function cases(t: Target, a: string): Case[] {
  const { type, id } = t;
  const patient = type === 'Patient' ? id : undefined;
  const list: Case[] = [
    { method: 'GET', url: `${type}/${id}` },
    { method: 'HEAD', url: `${type}/${id}` },
    { method: 'GET', url: `${type}/${id}`, headers: { ifNoneMatch: 'W/"1"' } },
    { method: 'GET', url: `${type}/${id}`, headers: { ifModifiedSince: 'Sat, 01 Jan 2000 00:00:00 GMT' } },
    { method: 'GET', url: `${type}/${id}/_history/1` },
    { method: 'GET', url: `${type}/${id}/_history/2` },
    { method: 'GET', url: `${type}/${id}/_history/0` },
    { method: 'GET', url: `${type}/${id}/_history` },
    { method: 'GET', url: `${type}/${id}/_history?_count=1&_since=2000-01-01` },
    { method: 'PUT', url: `${type}/${id}`, body: resourceOf(type, id, a) },
    { method: 'PUT', url: `${type}/${id}`, body: resourceOf(type, id, a), headers: { ifMatch: 'W/"1"' } },
    { method: 'PUT', url: `${type}/${id}`, body: { resourceType: type, id, unknownElement: true } },
    { method: 'PUT', url: `${type}/${id}`, body: resourceOf(type, 'other-id', a) },
    { method: 'PATCH', url: `${type}/${id}`, body: [{ op: 'add', path: '/language', value: 'en' }], headers: JSON_PATCH },
    { method: 'PATCH', url: `${type}/${id}`, body: [{ op: 'add', path: '/language', value: 'en' }], headers: { ...JSON_PATCH, ifMatch: 'W/"1"' } },
    { method: 'PATCH', url: `${type}/${id}`, body: { not: 'a patch' }, headers: JSON_PATCH },
    { method: 'PATCH', url: `${type}/${id}`, body: { resourceType: 'Parameters', parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'add' }, { name: 'path', valueString: type }, { name: 'name', valueString: 'language' }, { name: 'value', valueCode: 'en' }] }] }, headers: { contentType: 'application/fhir+json' } },
    { method: 'DELETE', url: `${type}/${id}` },
    { method: 'DELETE', url: `${type}/${id}`, headers: { ifMatch: 'W/"1"' } },
    { method: 'DELETE', url: `${type}/${id}`, headers: { prefer: 'return=OperationOutcome' } },
    { method: 'GET', url: `${type}/${id}/$validate` },
    { method: 'POST', url: `${type}/${id}/$validate?mode=delete` },
    { method: 'POST', url: `${type}/${id}/$validate`, body: resourceOf(type, id, a) },
    { method: 'POST', url: `${type}/${id}/$validate`, body: { resourceType: 'Parameters', parameter: [{ name: 'mode', valueCode: 'update' }, { name: 'resource', resource: resourceOf(type, id, a) }] } },
    { method: 'POST', url: `${type}/$validate`, body: resourceOf(type, id, a) },
    { method: 'POST', url: `${type}/${id}/$meta-add`, body: META },
    { method: 'POST', url: `${type}/${id}/$meta-delete`, body: META },
    { method: 'POST', url: `AuditEvent/${id}/$review`, body: REVIEW },
    { method: 'GET', url: 'AuditEvent/$emergency-access?reviewed=false' },
    { method: 'GET', url: 'Patient/$restricted-records' },
    { method: 'GET', url: `Appointment/$find?visit-type=${id}&start=2031-01-06` },
    { method: 'GET', url: `${type}/${id}/$everything` },
    { method: 'GET', url: `${type}?_id=${id}` },
    { method: 'GET', url: `${type}?_id=${id}&_summary=count` },
    { method: 'POST', url: `${type}/_search?_id=${id}` },
    { method: 'GET', url: `?_type=${type}&_id=${id}` },
    { method: 'POST', url: '_search?_type=Observation&_id=' + id },
    { method: 'GET', url: `Observation?_id=${id}&_include=Observation:subject&_revinclude=Observation:has-member` },
    { method: 'GET', url: `Patient?_has:Observation:subject:_id=${id}` },
    { method: 'GET', url: `Observation?encounter=Encounter/${id}` },
    { method: 'GET', url: `Observation?encounter._id=${id}` },
    { method: 'PUT', url: `${type}?_id=${id}`, body: resourceOf(type, undefined, a) },
    { method: 'PATCH', url: `${type}?_id=${id}`, body: [{ op: 'add', path: '/language', value: 'en' }], headers: JSON_PATCH },
    { method: 'DELETE', url: `${type}?_id=${id}` },
    { method: 'POST', url: type, body: resourceOf(type, undefined, a), headers: { ifNoneExist: `_id=${id}` } },
    { method: 'GET', url: `${type}/_history` },
    { method: 'GET', url: '_history' },
    { method: 'GET', url: 'metadata' },
    { method: 'GET', url: '$connected-apps' },
    { method: 'POST', url: '$connected-app-revoke', body: { resourceType: 'Parameters', parameter: [{ name: 'grant', valueString: id }] } },
    { method: 'GET', url: `ValueSet/$expand?url=https://heron.dev/fhir/ValueSet/${id}&filter=a` },
    { method: 'POST', url: `ValueSet/${id}/$expand`, body: { resourceType: 'Parameters', parameter: [{ name: 'filter', valueString: 'a' }] } },
    { method: 'GET', url: `CodeSystem/$lookup?system=http://snomed.info/sct&code=${id}` },
    { method: 'GET', url: `CodeSystem/${id}/$lookup?code=1` },
  ];
  if (type === 'AuditEvent') list.push({ method: 'GET', url: `AuditEvent?_id=${id}` });
  // Addresses no resource; refused to patient-bound callers whatever the target.
  list.push({ method: 'GET', url: 'AuditEvent/$verify' });
  if (patient !== undefined) {
    list.push(
      { method: 'POST', url: `Patient/${patient}/$break-the-glass`, body: REASON },
      { method: 'POST', url: `Patient/${patient}/$portal-invite`, body: { resourceType: 'Parameters', parameter: [{ name: 'email', valueString: 'someone@example.org' }] } },
      { method: 'GET', url: `Patient/${patient}/Observation` },
      { method: 'GET', url: `Patient/${patient}/Observation?_summary=count` },
      { method: 'GET', url: `Patient/${patient}/*` },
      { method: 'GET', url: `Patient/${patient}/$everything` },
      { method: 'GET', url: `Patient/${patient}/$everything?_type=Observation&_count=1` },
      { method: 'GET', url: `Patient/${patient}/$summary` },
      { method: 'POST', url: `Patient/${patient}/$health-link`, body: { resourceType: 'Parameters', parameter: [{ name: 'label', valueString: 'x' }, { name: 'expires', valueDateTime: '2099-01-01' }] } },
      { method: 'GET', url: `Patient/${patient}/$health-links` },
      { method: 'POST', url: `Patient/${patient}/$health-link-revoke`, body: { resourceType: 'Parameters', parameter: [{ name: 'id', valueString: 'x' }] } },
      { method: 'GET', url: `Patient/${patient}/*?_type=Condition,Encounter` },
      { method: 'POST', url: `Patient/${patient}/Condition/_search` },
      { method: 'GET', url: `Observation?subject=Patient/${patient}` },
      { method: 'GET', url: `Observation?patient=${patient}&_summary=count` },
      { method: 'GET', url: `Observation/$lastn?patient=${patient}` },
      {
        method: 'POST',
        url: 'Patient/$match',
        body: { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', name: [{ family: 'Beta', given: ['B'] }], birthDate: '1990-01-01', identifier: [{ system: 'urn:ids', value: patient }] } }] },
      },
      { method: 'GET', url: `Observation/$lastn?patient=Patient/${patient}&category=vital-signs&code=http://loinc.org|8867-4&max=3` },
      { method: 'POST', url: 'QuestionnaireResponse/$extract', body: { resourceType: 'QuestionnaireResponse', status: 'completed', questionnaire: 'http://example.org/Questionnaire/none', subject: { reference: `Patient/${patient}` } } },
      { method: 'GET', url: `Observation?encounter.subject=Patient/${patient}` },
      { method: 'GET', url: `Observation?subject:Patient.family=Beta&subject=${patient}` },
      { method: 'GET', url: `Encounter?subject=${patient}&_revinclude=Observation:encounter` },
      { method: 'GET', url: `AuditEvent?patient=${patient}` },
      { method: 'POST', url: 'Observation', body: resourceOf('Observation', undefined, patient) },
    );
  }
  return list;
}

function request(c: Case): FhirRequest {
  const q = c.url.indexOf('?');
  return { method: c.method, path: q < 0 ? c.url : c.url.slice(0, q), query: new URLSearchParams(q < 0 ? '' : c.url.slice(q + 1)), headers: c.headers ?? {}, baseUrl: BASE, body: c.body };
}

/** The same case as the one entry of a batch or transaction Bundle. */
function inBundle(c: Case, kind: 'batch' | 'transaction'): Case {
  const entryRequest: Record<string, string> = { method: c.method, url: c.url };
  for (const header of ['ifMatch', 'ifNoneMatch', 'ifNoneExist', 'ifModifiedSince'] as const) if (c.headers?.[header] !== undefined) entryRequest[header] = c.headers[header]!;
  let resource = c.body;
  if (c.method === 'PATCH' && Array.isArray(c.body)) resource = { resourceType: 'Binary', contentType: 'application/json-patch+json', data: Buffer.from(JSON.stringify(c.body)).toString('base64') };
  const entry = { request: entryRequest, ...(resource === undefined ? {} : { resource }) };
  return { method: 'POST', url: '', body: { resourceType: 'Bundle', type: kind, entry: [entry] } };
}

/**
 * Everything the caller gets, as text, with `id` written as `<id>` (wherever it stands alone) and
 * the CapabilityStatement's time of answering left out.
 */
async function answer(ctx: Ctx, c: Case, id: string): Promise<string> {
  let seen: unknown;
  try {
    const res = await dispatch(ctx, request(c));
    const body = res.rawBody ?? res.body;
    seen = { status: res.status, headers: res.headers, body, streamed: res.stream === undefined ? undefined : await collect(res.stream.parts) };
  } catch (err) {
    if (!(err instanceof FhirError)) throw err;
    seen = { category: err.category, outcome: err.toOperationOutcome(), headers: err.headers };
  }
  const text = JSON.stringify(seen).replace(/"date":"[^"]*"/, '"date":"<now>"').replaceAll('%2F', '/');
  return text.replace(new RegExp(`(?<![A-Za-z0-9.-])${id.replaceAll('.', '\\.')}(?![A-Za-z0-9.-])`, 'g'), '<id>');
}

async function collect(parts: AsyncIterable<{ records: unknown }>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const part of parts) out.push(part.records);
  return out;
}

/** The coverage key of a request: its route's action and whether it addresses one resource. */
function routeKey(req: FhirRequest): string | undefined {
  try {
    const route = resolve(req);
    return `${route.action}:${route.id === undefined ? 'type' : 'instance'}`;
  } catch (err) {
    if (err instanceof FhirError) return undefined;
    throw err;
  }
}

describe('absent resources: the table covers every route dispatch knows', () => {
  const target: Target = { type: 'Patient', id: 'p1' };
  const covered = new Set(cases(target, 'a').flatMap((c) => [routeKey(request(c)), routeKey(request(inBundle(c, 'batch')))]));

  it('every route action has a case', () => {
    const actions = new Set([...covered].map((key) => key?.split(':')[0]));
    expect(ROUTE_ACTIONS.filter((action) => !actions.has(action))).toEqual([]);
  });

  it('every route found by walking path shapes has a case', () => {
    const segments = ['metadata', '_history', '_search', 'Patient', 'AuditEvent', 'ValueSet', 'CodeSystem', 'p1', '$validate', '$break-the-glass', '$verify', '$expand', '$lookup', '$everything', '$summary', '$health-link', '$health-links', '$health-link-revoke', '$connected-apps', '$connected-app-revoke', '*'];
    const found = new Set<string>();
    const walk = (path: string[]) => {
      for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) {
        const key = routeKey({ method, path: path.join('/'), query: new URLSearchParams(), headers: {}, baseUrl: BASE });
        if (key !== undefined) found.add(key);
      }
      if (path.length < 4) for (const s of segments) walk([...path, s]);
    };
    walk([]);
    expect([...found].filter((key) => !covered.has(key))).toEqual([]);
    // About 1.2 million route lookups: 27 s alone, 76 s seen beside browser tests on two cores.
  }, 300_000);
});

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`absent resources answer like ids never used (${kind})`, () => {
    let t: TestApp;
    const ids: Record<string, string> = {};
    const callers: { name: string; ctx: Ctx; targets: Target[] }[] = [];

    const create = async (name: string, resource: object) => {
      const res = await t.fhir('POST', (resource as Resource).resourceType, { body: resource });
      if (res.status !== 201) throw new Error(`creating ${name}: ${res.status} ${res.text}`);
      ids[name] = res.body.id;
    };

    beforeAll(async () => {
      t = await startTestApp({ kind, auditStore: true });
      await create('practitioner', { resourceType: 'Practitioner', name: [{ family: 'Doc' }] });
      await create('a', { resourceType: 'Patient', name: [{ family: 'Alpha' }] });
      await create('b', { resourceType: 'Patient', name: [{ family: 'Beta' }] });
      await create('obsB', resourceOf('Observation', undefined, ids.b));
      // A second version, so vread of 2 and history have something to tell.
      expect((await t.fhir('PUT', `Observation/${ids.obsB}`, { body: { ...resourceOf('Observation', ids.obsB, ids.b), status: 'amended' } })).status).toBe(200);
      await create('condB', resourceOf('Condition', undefined, ids.b));
      await create('fileB', resourceOf('Binary', undefined, ids.b));
      await create('encB', resourceOf('Encounter', undefined, ids.b));
      await create('obsOfEncB', { ...resourceOf('Observation', undefined, ids.b), encounter: { reference: `Encounter/${ids.encB}` } });
      await create('deletedA', resourceOf('Observation', undefined, ids.a));
      expect((await t.fhir('DELETE', `Observation/${ids.deletedA}`)).status).toBe(204);
      await create('labelledA', { ...resourceOf('Observation', undefined, ids.a), meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] } });
      await create('condA', resourceOf('Condition', undefined, ids.a));
      await create('labA', { ...resourceOf('Observation', undefined, ids.a), category: [LAB] });
      // An audit entry about B's record (the read just made), for the accounting of disclosures.
      expect((await t.fhir('GET', `Patient/${ids.b}`)).status).toBe(200);
      const trail = (await t.fhir('GET', `AuditEvent?patient=Patient/${ids.b}&_count=1`)).body as Bundle;
      ids.auditB = trail.entry![0].resource!.id!;

      const ofB: Target[] = [
        { type: 'Patient', id: ids.b },
        { type: 'Observation', id: ids.obsB },
        { type: 'Condition', id: ids.condB },
        { type: 'Encounter', id: ids.encB },
        { type: 'Observation', id: ids.deletedA },
        { type: 'Binary', id: ids.fileB },
      ];
      const user = (id: string, o: Partial<Extract<Principal, { kind: 'user' }>>): Ctx => ({
        tenant: t.practiceId,
        principal: { kind: 'user', id, tenant: t.practiceId, role: 'patient', scopes: ['patient/*.rs'], patients: [ids.a], ...o } as Principal,
        store: t.store,
        audit: { record() {} },
        origin: {},
      });
      callers.push(
        { name: 'patient A', ctx: user('patient-a', { fhirUser: `Patient/${ids.a}` }), targets: [...ofB, { type: 'AuditEvent', id: ids.auditB }] },
        { name: "a physician's app bound to A", ctx: user('doc', { role: 'physician', scopes: ['patient/*.cruds'], fhirUser: `Practitioner/${ids.practitioner}` }), targets: ofB },
        { name: 'a full proxy of A', ctx: user('proxy', { role: 'proxy' }), targets: [...ofB, { type: 'Observation', id: ids.labelledA }] },
        { name: 'a limited proxy of A', ctx: user('limited', { role: 'proxy', limitedPatients: [ids.a] }), targets: [...ofB, { type: 'Condition', id: ids.condA }] },
        {
          name: 'an app bound to A with a granular scope',
          ctx: user('doc-vitals', { role: 'physician', scopes: ['patient/Observation.cruds?category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs', 'patient/Patient.rs'] }),
          targets: [...ofB, { type: 'Observation', id: ids.labA }],
        },
      );
    }, 60_000);
    afterAll(async () => {
      await t?.close();
    });

    for (const name of ['patient A', "a physician's app bound to A", 'a full proxy of A', 'a limited proxy of A', 'an app bound to A with a granular scope']) {
      it(`${name}: every answer about what it may not see is the answer for an id never used`, async () => {
        const caller = callers.find((c) => c.name === name)!;
        const differences: string[] = [];
        for (const target of caller.targets) {
          // A fresh id per target, of the same form as the stored ones.
          const unused: Target = { type: target.type, id: target.type === 'AuditEvent' ? String(Number(target.id) + 1_000_000) : newResourceId() };
          const [mine, never] = [cases(target, ids.a), cases(unused, ids.a)];
          for (let i = 0; i < mine.length; i++) {
            for (const shape of [(c: Case) => c, (c: Case) => inBundle(c, 'batch'), (c: Case) => inBundle(c, 'transaction')]) {
              const seen = await answer(caller.ctx, shape(mine[i]), target.id);
              const expected = await answer(caller.ctx, shape(never[i]), unused.id);
              if (seen !== expected) differences.push(`${shape(mine[i]).method} ${mine[i].method} ${mine[i].url}\n  theirs: ${seen}\n  unused: ${expected}`);
            }
          }
        }
        expect(differences.join('\n')).toBe('');
        // Nothing was changed on the way.
        for (const [key, type, version] of [['obsB', 'Observation', '2'], ['condB', 'Condition', '1'], ['encB', 'Encounter', '1'], ['labA', 'Observation', '1'], ['condA', 'Condition', '1'], ['labelledA', 'Observation', '1']] as const) {
          expect((await t.fhir('GET', `${type}/${ids[key]}`)).body.meta.versionId, key).toBe(version);
        }
      }, 120_000);
    }
  });
}

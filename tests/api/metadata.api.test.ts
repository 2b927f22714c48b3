/**
 * The CapabilityStatement and the shape of the FHIR base URL (with or without trailing slash).
 * @see https://hl7.org/fhir/R4/http.html#capabilities
 */
import { describe, expect, it } from 'vitest';
import { HeronServer, STORE_KINDS, type Tenant } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';
import { expectOutcome, expectStatus, patient, uniqueSystem } from './fhir-expect.ts';

describe.each(STORE_KINDS)('metadata and base URL (%s)', (kind) => {
  let server: HeronServer;
  let t: Tenant;

  useHeronServer(kind, (started) => {
    server = started;
    t = started.default;
  });

  it('serves an R4 4.0.1 CapabilityStatement without a token', async () => {
    const res = await server.request('GET', '/fhir/R4/metadata', { headers: { accept: 'application/fhir+json' } });
    expectStatus(res, 200);
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    const cs = res.body;
    expect(cs.resourceType).toBe('CapabilityStatement');
    expect(cs.fhirVersion).toBe('4.0.1');
    expect(cs.status).toBe('active');
    expect(cs.kind).toBe('instance');
    expect(cs.format).toEqual(expect.arrayContaining([expect.stringMatching(/json/)]));
    const rest = cs.rest.find((r: any) => r.mode === 'server');
    expect(rest).toBeTruthy();
    const patientCap = rest.resource.find((r: any) => r.type === 'Patient');
    const interactions = patientCap.interaction.map((i: any) => i.code);
    expect(interactions).toEqual(expect.arrayContaining(['read', 'vread', 'update', 'delete', 'create', 'search-type', 'history-instance']));
    expect(patientCap.searchParam.map((p: any) => p.name)).toEqual(expect.arrayContaining(['identifier', 'name', 'birthdate']));
    expect(rest.interaction.map((i: any) => i.code)).toEqual(expect.arrayContaining(['transaction', 'batch']));
    // SMART: the token endpoint is advertised in the security extension.
    expect(JSON.stringify(rest.security ?? {})).toContain('/oauth2/token');
  });

  it('metadata answers _format=json without an Accept header', async () => {
    const res = await server.request('GET', '/fhir/R4/metadata?_format=json', { headers: { accept: null } });
    expectStatus(res, 200);
    expect(res.body.resourceType).toBe('CapabilityStatement');
  });

  it('the base works with and without a trailing slash', async () => {
    const withSlash = await server.request('GET', '/fhir/R4/metadata/');
    expectStatus(withSlash, 200);
    expect(withSlash.body.resourceType).toBe('CapabilityStatement');

    const system = uniqueSystem('slash');
    const bundle = { resourceType: 'Bundle', type: 'batch', entry: [{ resource: patient(system, 'a'), request: { method: 'POST', url: 'Patient' } }] };
    const slash = await t.fhir('POST', `${server.fhirBase}/`, { body: bundle });
    expectStatus(slash, 200);
    expect(slash.body.type).toBe('batch-response');
    const noSlash = await t.fhir('POST', server.fhirBase, { body: bundle });
    expectStatus(noSlash, 200);

    const search = await t.fhir('GET', `${server.fhirBase}/Patient/?identifier=${encodeURIComponent(system + '|a')}`);
    expectStatus(search, 200);
    expect(search.body.entry).toHaveLength(2);
  });

  it('unknown paths outside and inside the base are 404 OperationOutcomes', async () => {
    expectOutcome(await t.fhir('GET', 'Patient/1/2/3/4/5'), [400, 404]);
    expectOutcome(await t.fhir('GET', 'patient/1'), [400, 404]);
  });

  it('self links and Location use the address the client used', async () => {
    const res = await t.fhir('GET', 'Patient?_count=1');
    expectStatus(res, 200);
    const self = res.body.link.find((l: any) => l.relation === 'self').url;
    expect(self.startsWith(`${server.fhirBase}/Patient`)).toBe(true);
  });
});

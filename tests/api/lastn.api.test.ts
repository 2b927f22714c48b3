/**
 * `Observation/$lastn` over HTTP on both databases: the newest observations per code of one
 * patient, grouped by code and newest first, filtered by category and code, `max` per code;
 * wrong requests answered with an OperationOutcome; a client whose granular scope allows only lab
 * results gets only lab results; the operation is in the CapabilityStatement.
 * @see https://hl7.org/fhir/R4/observation-operation-lastn.html
 */
import { describe, expect, it } from 'vitest';
import { HeronServer, STORE_KINDS, type Tenant } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';
import { expectOutcome, expectStatus } from './fhir-expect.ts';

const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const LOINC = 'http://loinc.org';

function observation(patient: string, code: string, category: string, day: number, value: number): object {
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: CATEGORY, code: category }] }],
    code: { coding: [{ system: LOINC, code }] },
    subject: { reference: `Patient/${patient}` },
    effectiveDateTime: `2024-01-${String(day).padStart(2, '0')}T09:00:00Z`,
    valueQuantity: { value, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
  };
}

/** `code@day` of each match, in Bundle order. */
function seen(bundle: any): string[] {
  return (bundle.entry ?? []).map((e: any) => `${e.resource.code.coding[0].code}@${e.resource.effectiveDateTime.slice(8, 10)}`);
}

describe.each(STORE_KINDS)('Observation/$lastn (%s)', (kind) => {
  let server: HeronServer;
  let t: Tenant;
  let patient: string;
  let other: string;

  useHeronServer(kind, (started) => {
    server = started;
    t = started.default;
  });

  it('returns the newest max observations of each code, grouped by code', async () => {
    patient = (await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Lastn' }] } })).body.id;
    other = (await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Other' }] } })).body.id;
    const entries = [];
    // Weights on days 1-6 (written out of order), heart rates on days 2 and 5, an HbA1c on day 3.
    for (const day of [3, 1, 6, 2, 5, 4]) entries.push(observation(patient, '29463-7', 'vital-signs', day, 70 + day));
    for (const day of [2, 5]) entries.push(observation(patient, '8867-4', 'vital-signs', day, 60 + day));
    entries.push(observation(patient, '4548-4', 'laboratory', 3, 6.1));
    entries.push(observation(other, '29463-7', 'vital-signs', 9, 99));
    const bundle = { resourceType: 'Bundle', type: 'transaction', entry: entries.map((resource) => ({ resource, request: { method: 'POST', url: 'Observation' } })) };
    expectStatus(await t.fhir('POST', '', { body: bundle }), 200);

    const one = await t.fhir('GET', `Observation/$lastn?patient=${patient}`);
    expectStatus(one, 200);
    expect(one.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 3 });
    expect(seen(one.body)).toEqual(['29463-7@06', '4548-4@03', '8867-4@05']);
    expect(one.body.entry[0].search.mode).toBe('match');
    expect(one.body.entry[0].fullUrl).toMatch(/\/fhir\/R4\/Observation\//);

    const vitals = await t.fhir('GET', `Observation/$lastn?patient=Patient/${patient}&category=${CATEGORY}|vital-signs&max=3`);
    expect(seen(vitals.body)).toEqual(['29463-7@06', '29463-7@05', '29463-7@04', '8867-4@05', '8867-4@02']);
    const weights = await t.fhir('GET', `Observation/$lastn?subject=Patient/${patient}&code=${LOINC}|29463-7,4548-4&max=2`);
    expect(seen(weights.body)).toEqual(['29463-7@06', '29463-7@05', '4548-4@03']);
    const labs = await t.fhir('GET', `Observation/$lastn?patient=${patient}&category=laboratory&max=10`);
    expect(seen(labs.body)).toEqual(['4548-4@03']);
    expect(seen((await t.fhir('GET', `Observation/$lastn?patient=${other}&max=10`)).body)).toEqual(['29463-7@09']);
  });

  it('sees a new, a changed and a deleted observation at once', async () => {
    const created = await t.fhir('POST', 'Observation', { body: observation(patient, '8867-4', 'vital-signs', 7, 80) });
    expectStatus(created, 201);
    expect(seen((await t.fhir('GET', `Observation/$lastn?patient=${patient}&code=8867-4`)).body)).toEqual(['8867-4@07']);
    const moved = { ...created.body, effectiveDateTime: '2024-01-01T09:00:00Z' };
    expectStatus(await t.fhir('PUT', `Observation/${created.body.id}`, { body: moved }), 200);
    expect(seen((await t.fhir('GET', `Observation/$lastn?patient=${patient}&code=8867-4&max=3`)).body)).toEqual(['8867-4@05', '8867-4@02', '8867-4@01']);
    expectStatus(await t.fhir('DELETE', `Observation/${created.body.id}`), [200, 204]);
    expect(seen((await t.fhir('GET', `Observation/$lastn?patient=${patient}&code=8867-4&max=3`)).body)).toEqual(['8867-4@05', '8867-4@02']);
  });

  it('refuses requests it cannot answer with an OperationOutcome', async () => {
    for (const query of ['', 'category=vital-signs', `patient=${patient}&max=0`, `patient=${patient}&max=101`, `patient=${patient}&max=two`, `patient=${patient}&_sort=date`, `patient=${patient}&code:text=weight`, `patient=Practitioner/1`]) {
      expectOutcome(await t.fhir('GET', `Observation/$lastn?${query}`), 400);
    }
    expectOutcome(await t.fhir('POST', 'Observation/$lastn', { body: { resourceType: 'Parameters' } }), 405);
    expectOutcome(await t.fhir('GET', 'Patient/$lastn'), 404);
  });

  it('gives a client only what its granular scope allows', async () => {
    const labsOnly = await server.addTenant('Labs only elsewhere');
    // Another practice sees nothing of this one.
    expect(seen((await labsOnly.fhir('GET', `Observation/$lastn?patient=${patient}`)).body)).toEqual([]);
    const scoped = await server.cli(['client', 'create', '--practice', t.practiceId, '--scopes', `system/Observation.rs?category=${CATEGORY}|laboratory`, '--json']);
    expect(scoped.code, scoped.stderr).toBe(0);
    const creds = JSON.parse(scoped.stdout.trim().split('\n').pop() as string);
    const token = await server.token(creds.client_id, creds.client_secret);
    const res = await t.fhir('GET', `Observation/$lastn?patient=${patient}&max=5`, { token });
    expectStatus(res, 200);
    expect(seen(res.body)).toEqual(['4548-4@03']);
  });

  it('is listed in the CapabilityStatement', async () => {
    const metadata = await t.fhir('GET', 'metadata');
    const observation = metadata.body.rest[0].resource.find((r: any) => r.type === 'Observation');
    expect(observation.operation.map((o: any) => o.definition)).toContain('http://hl7.org/fhir/OperationDefinition/Observation-lastn');
  });
});

/**
 * A client allowed to read only Observations must not learn about Patients through a search:
 * not by `_include`, not by chaining or `_has` on Patient, not by `_revinclude` of another type.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test-app.ts';

let t: TestApp;
let observationsOnly: string;
let code: string;
beforeAll(async () => {
  t = await startTestApp();
  observationsOnly = await t.tokenFor('system/Observation.read');
  code = randomUUID();
  const patient = await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Hidden' }] } });
  expect(patient.status).toBe(201);
  const observation = {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'urn:test', code }] },
    subject: { reference: `Patient/${patient.body.id}` },
  };
  expect((await t.fhir('POST', 'Observation', { body: observation })).status).toBe(201);
});
afterAll(async () => {
  await t?.close();
});

const byCode = () => `code=urn:test|${code}`;

describe('search reaches only types the caller may read', () => {
  it('answers the plain search', async () => {
    const res = await t.fhir('GET', `Observation?${byCode()}`, { token: observationsOnly });
    expect(res.status, res.text).toBe(200);
    expect(res.body.entry).toHaveLength(1);
  });

  it('leaves out included Patients, while a full-access client gets them', async () => {
    const limited = await t.fhir('GET', `Observation?${byCode()}&_include=Observation:subject`, { token: observationsOnly });
    expect(limited.status, limited.text).toBe(200);
    expect(limited.body.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType)).toEqual(['Observation']);
    const full = await t.fhir('GET', `Observation?${byCode()}&_include=Observation:subject`);
    expect(full.body.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType).sort()).toEqual(['Observation', 'Patient']);
  });

  it.each([
    ['a chain into Patient', () => `Observation?${byCode()}&subject:Patient.name=Hidden`],
    ['an _include naming Patient', () => `Observation?${byCode()}&_include=Observation:subject:Patient`],
    ['a _revinclude of another type', () => `Observation?${byCode()}&_revinclude=Provenance:target`],
    ['_has on another type', () => `Observation?_has:DiagnosticReport:result:status=final`],
  ])('refuses %s with 403', async (_label, query) => {
    const res = await t.fhir('GET', query(), { token: observationsOnly });
    expect(res.status, res.text).toBe(403);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });
});

/**
 * `Patient/$match` over HTTP on both databases: the register screen's duplicate check finds the
 * same identifier (certain), the same name and birth date (probable) and similar names with the
 * same or swapped birth date or phone (possible), best first with `search.score` and the
 * match-grade extension; honours onlyCertainMatches and count; refuses malformed input with an
 * OperationOutcome; never reaches another practice.
 * @see https://hl7.org/fhir/R4/patient-operation-match.html
 */
import { describe, expect, it } from 'vitest';
import { HeronServer, STORE_KINDS, type Tenant } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';
import { expectOutcome, expectStatus, uniqueSystem } from './fhir-expect.ts';

const GRADE = 'http://hl7.org/fhir/StructureDefinition/match-grade';

function params(resource: object, extra: object[] = []): object {
  return { resourceType: 'Parameters', parameter: [{ name: 'resource', resource }, ...extra] };
}

/** `family grade score` of each result, in order. */
function results(bundle: any): string[] {
  return (bundle.entry ?? []).map((e: any) => `${e.resource.name[0].family} ${e.search.extension.find((x: any) => x.url === GRADE).valueCode} ${e.search.score}`);
}

describe.each(STORE_KINDS)('Patient/$match (%s)', (kind) => {
  let server: HeronServer;
  let t: Tenant;
  let mrn: string;

  useHeronServer(kind, (started) => {
    server = started;
    t = started.default;
  });

  it('grades stored patients as certain, probable or possible, best first', async () => {
    mrn = uniqueSystem('mrn');
    const patients = [
      { family: 'Lindqvist', given: 'Maja', birthDate: '1971-05-09', identifier: [{ system: mrn, value: 'A-1' }] },
      { family: 'Lindquist', given: 'Maja', birthDate: '1971-09-05' }, // day and month swapped, name sounds alike
      { family: 'Lindqvist', given: 'Maja', birthDate: '1971-05-09', telecom: [{ system: 'phone', value: '555-0100' }] },
      { family: 'Lindkvist', given: 'Maya', birthDate: '1985-01-01', telecom: [{ system: 'phone', value: '555-0199' }] },
      { family: 'Berg', given: 'Maja', birthDate: '1971-05-09' }, // same birth date, another person
    ];
    for (const p of patients) {
      const { family, given, ...rest } = p;
      expectStatus(await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family, given: [given] }], ...rest } }), 201);
    }
    const draft = { resourceType: 'Patient', name: [{ family: 'Lindqvist', given: ['Maja'] }], birthDate: '1971-05-09', telecom: [{ system: 'phone', value: '555-0199' }] };
    const res = await t.fhir('POST', 'Patient/$match', { body: params(draft) });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 4 });
    expect(results(res.body)).toEqual(['Lindqvist probable 0.9', 'Lindqvist probable 0.9', 'Lindquist possible 0.6', 'Lindkvist possible 0.65'].sort((a, b) => Number(b.split(' ')[2]) - Number(a.split(' ')[2])));
    expect(res.body.entry[0].search.mode).toBe('match');

    const withMrn = { ...draft, identifier: [{ system: mrn, value: 'A-1' }] };
    const certain = await t.fhir('POST', 'Patient/$match', { body: params(withMrn, [{ name: 'onlyCertainMatches', valueBoolean: true }]) });
    expect(results(certain.body)).toEqual(['Lindqvist certain 1']);
    const two = await t.fhir('POST', 'Patient/$match', { body: params(withMrn, [{ name: 'count', valueInteger: 2 }]) });
    expect(results(two.body)).toEqual(['Lindqvist certain 1', 'Lindqvist probable 0.9']);
  });

  it('finds nothing for a new person, and nothing in another practice', async () => {
    const nobody = await t.fhir('POST', 'Patient/$match', { body: params({ resourceType: 'Patient', name: [{ family: 'Zzyzx', given: ['Q'] }], birthDate: '1901-01-01' }) });
    expectStatus(nobody, 200);
    expect(nobody.body.total).toBe(0);
    const other = await server.addTenant('Match elsewhere');
    const elsewhere = await other.fhir('POST', 'Patient/$match', { body: params({ resourceType: 'Patient', name: [{ family: 'Lindqvist', given: ['Maja'] }], birthDate: '1971-05-09', identifier: [{ system: mrn, value: 'A-1' }] }) });
    expect(elsewhere.body.total).toBe(0);
  });

  it('refuses what it cannot match with an OperationOutcome', async () => {
    const patient = { resourceType: 'Patient', name: [{ family: 'X' }], birthDate: '1990-01-01' };
    for (const body of [
      patient,
      { resourceType: 'Parameters' },
      params({ resourceType: 'Observation' }),
      params({ resourceType: 'Patient', name: [{ family: 'OnlyAName' }] }),
      params(patient, [{ name: 'count', valueInteger: 0 }]),
      params(patient, [{ name: 'onlyCertainMatches', valueString: 'yes' }]),
    ]) {
      expectOutcome(await t.fhir('POST', 'Patient/$match', { body }), 400);
    }
    expectOutcome(await t.fhir('GET', 'Patient/$match'), 405);
  });
});

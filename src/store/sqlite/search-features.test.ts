/**
 * Composite, UCUM, `:identifier` and `:of-type` end to end: rows from the real extractor, queries
 * from the real parser, so the FHIR side's two halves (index and query normalisation) are held
 * to agree through SQL. The conformance suite covers the SQL on both databases.
 */
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCriterion } from '../../fhir/search/criterion.ts';
import { extractIndexRows } from '../../fhir/search/extract.ts';
import type { SearchCriterion } from '../../fhir/search/types.ts';
import { ids, put, searchRequest, sorted } from '../conformance/fixtures.ts';
import type { FhirStore } from '../store.ts';
import { openSqliteStore } from './sqlite.ts';

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const V2 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const tenant = 't1';
let store: FhirStore;

const mmHg = (value: number) => ({ value, system: UCUM, code: 'mm[Hg]', unit: 'mmHg' });
const resources: (Resource & { id: string })[] = [
  {
    resourceType: 'Observation',
    id: 'bp1',
    status: 'final',
    code: { coding: [{ system: LOINC, code: '85354-9' }] },
    subject: { reference: 'Patient/mr', identifier: { system: 'urn:mrn', value: '12345' } },
    component: [
      { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: mmHg(120) },
      { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: mmHg(80) },
    ],
  },
  {
    resourceType: 'Observation',
    id: 'bp2',
    status: 'final',
    code: { coding: [{ system: LOINC, code: '85354-9' }] },
    component: [
      { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: mmHg(95) },
      { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: mmHg(130) },
    ],
  },
  { resourceType: 'Observation', id: 'mg', status: 'final', code: { coding: [{ system: LOINC, code: '2339-0' }] }, valueQuantity: { value: 5500, system: UCUM, code: 'mg' } },
  { resourceType: 'Observation', id: 'g', status: 'final', code: { coding: [{ system: LOINC, code: '2339-0' }] }, valueQuantity: { value: 4.9, system: UCUM, code: 'g' } },
  { resourceType: 'Observation', id: 'temp', status: 'final', code: { coding: [{ system: LOINC, code: '8310-5' }] }, valueQuantity: { value: 98.6, system: UCUM, code: '[degF]' } },
  { resourceType: 'Observation', id: 'smoker', status: 'final', code: { coding: [{ system: LOINC, code: '72166-2' }] }, valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '77176002' }] } },
  {
    resourceType: 'DocumentReference',
    id: 'doc',
    status: 'current',
    content: [{ attachment: {} }],
    relatesTo: [{ code: 'replaces', target: { reference: 'DocumentReference/old' } }],
  },
  { resourceType: 'Patient', id: 'mr', identifier: [{ system: 'urn:mrn', value: '12345', type: { coding: [{ system: V2, code: 'MR' }] } }] },
  { resourceType: 'Patient', id: 'dl', identifier: [{ system: 'urn:dl', value: '12345', type: { coding: [{ system: V2, code: 'DL' }] } }] },
];

beforeAll(async () => {
  store = await openSqliteStore({ memory: true, indexer: extractIndexRows });
  await store.migrate();
  await store.transaction(tenant, async (tx) => {
    for (const r of resources) await put(tx, r);
  });
});
afterAll(() => store?.close());

async function find(type: string, query: string): Promise<string[]> {
  const criteria: SearchCriterion[] = [];
  for (const [name, value] of new URLSearchParams(query)) {
    const c = parseCriterion([type], name, value);
    if (c) criteria.push(c);
  }
  return sorted(ids((await store.reader(tenant).search(searchRequest(type, criteria))).resources));
}

describe('index-side search features, extractor to SQL', () => {
  it.each<[string, string, string[]]>([
    ['Observation', 'component-code-value-quantity=http://loinc.org|8480-6$gt100', ['bp1']],
    ['Observation', 'component-code-value-quantity=http://loinc.org|8462-4$gt100', ['bp2']],
    ['Observation', 'combo-code-value-quantity=http://loinc.org|8480-6$gt100,http://loinc.org|2339-0$gt5000', ['bp1', 'mg']],
    ['Observation', 'component-code-value-quantity=8480-6$15998640|http://unitsofmeasure.org|g.m-1.s-2', ['bp1']],
    ['Observation', 'component-code-value-quantity=8480-6$16|http://unitsofmeasure.org|kPa', ['bp1']],
    ['Observation', 'code-value-quantity=http://loinc.org|2339-0$gt5|http://unitsofmeasure.org|g', ['mg']],
    ['Observation', 'code-value-quantity=2339-0$lt5000|http://unitsofmeasure.org|mg', ['g']],
    ['Observation', 'code-value-concept=72166-2$http://snomed.info/sct|77176002', ['smoker']],
    ['Observation', 'code-value-quantity:missing=false', ['g', 'mg', 'temp']],
    ['Observation', 'value-quantity=gt5|http://unitsofmeasure.org|g', ['mg']],
    ['Observation', 'value-quantity=5.5|http://unitsofmeasure.org|g', ['mg']],
    ['Observation', 'value-quantity=5500', ['mg']],
    ['Observation', 'value-quantity=5.5', []],
    ['Observation', 'value-quantity=37|http://unitsofmeasure.org|Cel', ['temp']],
    ['Observation', 'value-quantity=ge5|http://unitsofmeasure.org|kg', []],
    ['Observation', 'subject:identifier=urn:mrn|12345', ['bp1']],
    ['Observation', 'subject:identifier=urn:dl|12345', []],
    ['Patient', `identifier:of-type=${V2}|MR|12345`, ['mr']],
    ['Patient', `identifier:of-type=${V2}|DL|12345`, ['dl']],
    ['DocumentReference', 'relationship=replaces$DocumentReference/old', ['doc']],
    ['DocumentReference', 'relationship=http://hl7.org/fhir/document-relationship-type|replaces$old', ['doc']],
    ['DocumentReference', 'relationship=appends$DocumentReference/old', []],
  ])('%s?%s', async (type, query, expected) => {
    expect(await find(type, query)).toEqual(expected);
  });
});

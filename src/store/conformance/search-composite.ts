/**
 * Index-side search features beyond one value per row: composite parameters (both components
 * from the same element, each compared like its type), quantities in UCUM base units,
 * `reference:identifier` and `identifier:of-type`. Each case is a query and the ids it finds
 * on a small fixture.
 */
import type { Resource } from '@medplum/fhirtypes';
import { describe, expect } from 'vitest';
import type { Prefix, SearchCriterion, SearchValue, TokenSearch, ValueSearch } from '../../fhir/search/types.ts';
import type { FhirStore } from '../store.ts';
import { expectFhirError, type Harness } from './harness.ts';
import { criterion, ids, put, searchRequest, sorted, sortBy } from './fixtures.ts';
import { dateRange, precision, TEST_UNITS, UCUM } from './test-indexer.ts';

const LOINC = 'http://loinc.org';
const SYS = '8480-6';
const DIA = '8462-4';
const GLUCOSE = '2339-0';
const V2 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const RELATION = 'http://hl7.org/fhir/document-relationship-type';

type Case = [query: string, criterion: SearchCriterion, expected: string[]];

const tok = (system: string | null | undefined, code?: string): TokenSearch => {
  const t: TokenSearch = { kind: 'token' };
  if (system !== undefined) t.system = system;
  if (code !== undefined) t.code = code;
  return t;
};
const qty = (prefix: Prefix, value: number, unit?: { system?: string; code?: string }): ValueSearch => ({ kind: 'quantity', prefix, value, ...precision(value), ...unit });
/** A UCUM query value as the FHIR side hands it over: converted to base units. */
const ucum = (prefix: Prefix, value: number, code: string): Extract<ValueSearch, { kind: 'quantity' }> => {
  const unit = TEST_UNITS[code];
  const c = (n: number): number => Number((n * unit.factor).toPrecision(15));
  const p = precision(value);
  return { kind: 'quantity', prefix, value: c(value), low: c(p.low), high: c(p.high), system: UCUM, code: unit.base, canonical: true };
};
const pair = (first: TokenSearch, second: ValueSearch): SearchValue => ({ kind: 'composite', first, second });
const composite = (param: string, ...values: SearchValue[]): SearchCriterion => ({ param, type: 'composite', values });

const obs = (id: string, code: string, o: Partial<Extract<Resource, { resourceType: 'Observation' }>> = {}): Resource & { id: string } => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: code.startsWith('urn:') ? undefined : LOINC, code }] },
  ...o,
});
const mmHg = (value: number) => ({ value, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' });
const bp = (id: string, systolic: number, diastolic: number) =>
  obs(id, '85354-9', {
    component: [
      { code: { coding: [{ system: LOINC, code: SYS }] }, valueQuantity: mmHg(systolic) },
      { code: { coding: [{ system: LOINC, code: DIA }] }, valueQuantity: mmHg(diastolic) },
    ],
  });
const weighed = (id: string, value: number, code: string) => obs(id, GLUCOSE, { valueQuantity: { value, unit: code, system: UCUM, code } });
const identified = (id: string, identifier: { system?: string; value?: string; type?: string }[]): Resource & { id: string } => ({
  resourceType: 'Patient',
  id,
  identifier: identifier.map((i) => ({ system: i.system, value: i.value, ...(i.type ? { type: { coding: [{ system: V2, code: i.type }] } } : {}) })),
});
const document = (id: string, code: 'replaces' | 'appends', target: string): Resource & { id: string } => ({
  resourceType: 'DocumentReference',
  id,
  status: 'current',
  content: [{ attachment: {} }],
  relatesTo: [{ code, target: { reference: target } }],
});

export function searchCompositeSuite(h: Harness): void {
  describe('search: composite, UCUM, :identifier, :of-type', () => {
    let store: FhirStore;
    let tenant: string;
    const find = async (type: string, c: SearchCriterion): Promise<string[]> => sorted(ids((await store.reader(tenant).search(searchRequest(type, [c]))).resources));
    const check = async (type: string, cases: Case[]): Promise<void> => {
      for (const [query, c, expected] of cases) expect(await find(type, c), `${type}?${query}`).toEqual(sorted(expected));
    };

    h.test('search composite: token and quantity pairs from the same component', async () => {
      store = await h.store();
      tenant = h.tenant();
      await store.transaction(tenant, async (tx) => {
        await put(tx, bp('bp1', 120, 80));
        await put(tx, bp('bp2', 95, 130)); // systolic 95: a 130 here belongs to the other component
        await put(tx, obs('panel', '85354-9'));
        await put(tx, weighed('g5500mg', 5500, 'mg'));
        await put(tx, weighed('g5g', 5, 'g'));
        await put(tx, weighed('g4.9g', 4.9, 'g'));
        await put(tx, obs('kg7', '29463-7', { valueQuantity: { value: 7, unit: 'kg', system: UCUM, code: 'kg' } }));
        await put(tx, obs('plain', GLUCOSE, { valueQuantity: { value: 5500, unit: 'mg' } })); // no system: no conversion
        await put(tx, obs('concept', 'urn:smoking', { valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '77176002' }] } }));
        await put(tx, obs('dated', 'urn:onset', { valueDateTime: '2020-05-01' }));
        await put(tx, obs('text', 'urn:result', { valueString: 'Positive' }));
        await put(tx, obs('uri', 'urn:result', { valueString: 'urn:x:1' }));
        await put(tx, obs('count', 'urn:count', { valueInteger: 7 }));
      });
      const sys = tok(LOINC, SYS);
      const dia = tok(LOINC, DIA);
      await check('Observation', [
        ['component-code-value-quantity=http://loinc.org|8480-6$gt100', composite('component-code-value-quantity', pair(sys, qty('gt', 100))), ['bp1']],
        ['component-code-value-quantity=8480-6$gt100', composite('component-code-value-quantity', pair(tok(undefined, SYS), qty('gt', 100))), ['bp1']],
        ['component-code-value-quantity=http://loinc.org|8462-4$gt100', composite('component-code-value-quantity', pair(dia, qty('gt', 100))), ['bp2']],
        ['component-code-value-quantity=http://loinc.org|8480-6$130', composite('component-code-value-quantity', pair(sys, qty('eq', 130))), []],
        ['component-code-value-quantity=http://loinc.org|8480-6$le95', composite('component-code-value-quantity', pair(sys, qty('le', 95))), ['bp2']],
        ['component-code-value-quantity=http://loinc.org|8480-6$ap120', composite('component-code-value-quantity', pair(sys, qty('ap', 120))), ['bp1']],
        ['component-code-value-quantity=http://loinc.org|8480-6$ne120', composite('component-code-value-quantity', pair(sys, qty('ne', 120))), ['bp2']],
        ['component-code-value-quantity=|8480-6$gt0', composite('component-code-value-quantity', pair(tok(null, SYS), qty('gt', 0))), []],
        ['component-code-value-quantity=http://loinc.org|$gt125', composite('component-code-value-quantity', pair(tok(LOINC), qty('gt', 125))), ['bp2']],
        [
          'component-code-value-quantity=http://loinc.org|8480-6$gt100,http://loinc.org|8462-4$gt100',
          composite('component-code-value-quantity', pair(sys, qty('gt', 100)), pair(dia, qty('gt', 100))),
          ['bp1', 'bp2'],
        ],
        [
          'component-code-value-quantity=http://loinc.org|8480-6$120|http://unitsofmeasure.org|mm[Hg]',
          composite('component-code-value-quantity', pair(sys, ucum('eq', 120, 'mm[Hg]'))),
          ['bp1'],
        ],
        ['component-code-value-quantity=8480-6$120||mm[Hg]', composite('component-code-value-quantity', pair(tok(undefined, SYS), qty('eq', 120, { code: 'mm[Hg]' }))), ['bp1']],
        ['component-code-value-quantity=8480-6$120||mg', composite('component-code-value-quantity', pair(tok(undefined, SYS), qty('eq', 120, { code: 'mg' }))), []],
        ['code-value-quantity=http://loinc.org|2339-0$gt5|http://unitsofmeasure.org|g', composite('code-value-quantity', pair(tok(LOINC, GLUCOSE), ucum('gt', 5, 'g'))), ['g5500mg']],
        ['code-value-quantity=http://loinc.org|2339-0$5|http://unitsofmeasure.org|g', composite('code-value-quantity', pair(tok(LOINC, GLUCOSE), ucum('eq', 5, 'g'))), ['g5500mg', 'g5g', 'g4.9g']],
        ['code-value-quantity=http://loinc.org|2339-0$5.0|http://unitsofmeasure.org|g', composite('code-value-quantity', pair(tok(LOINC, GLUCOSE), ucum('eq', 5.0, 'g'))), ['g5500mg', 'g5g', 'g4.9g']],
        ['code-value-quantity=http://loinc.org|2339-0$5500|http://unitsofmeasure.org|mg', composite('code-value-quantity', pair(tok(LOINC, GLUCOSE), ucum('eq', 5500, 'mg'))), ['g5500mg']],
        ['code-value-quantity=http://loinc.org|2339-0$gt5000', composite('code-value-quantity', pair(tok(LOINC, GLUCOSE), qty('gt', 5000))), ['g5500mg', 'plain']],
        ['code-value-quantity=29463-7$7|http://unitsofmeasure.org|kg', composite('code-value-quantity', pair(tok(undefined, '29463-7'), ucum('eq', 7, 'kg'))), ['kg7']],
        ['code-value-concept=urn:smoking$http://snomed.info/sct|77176002', composite('code-value-concept', pair(tok(undefined, 'urn:smoking'), tok('http://snomed.info/sct', '77176002'))), ['concept']],
        ['code-value-concept=urn:smoking$77176002', composite('code-value-concept', pair(tok(undefined, 'urn:smoking'), tok(undefined, '77176002'))), ['concept']],
        ['code-value-concept=urn:smoking$other', composite('code-value-concept', pair(tok(undefined, 'urn:smoking'), tok(undefined, 'other'))), []],
        ['code-value-date=urn:onset$2020-05', composite('code-value-date', pair(tok(undefined, 'urn:onset'), { kind: 'date', prefix: 'eq', ...dateRange('2020-05') })), ['dated']],
        ['code-value-date=urn:onset$gt2020-06', composite('code-value-date', pair(tok(undefined, 'urn:onset'), { kind: 'date', prefix: 'gt', ...dateRange('2020-06') })), []],
        ['code-value-date=urn:onset$lt2020-06', composite('code-value-date', pair(tok(undefined, 'urn:onset'), { kind: 'date', prefix: 'lt', ...dateRange('2020-06') })), ['dated']],
        ['code-value-string=urn:result$pos', composite('code-value-string', pair(tok(undefined, 'urn:result'), { kind: 'string', value: 'pos' })), ['text']],
        ['code-value-string=urn:result$neg', composite('code-value-string', pair(tok(undefined, 'urn:result'), { kind: 'string', value: 'neg' })), []],
        ['code-value-uri=urn:result$urn:x:1', composite('code-value-uri', pair(tok(undefined, 'urn:result'), { kind: 'uri', value: 'urn:x:1' })), ['uri']],
        ['code-value-number=urn:count$ge7', composite('code-value-number', pair(tok(undefined, 'urn:count'), { kind: 'number', prefix: 'ge', value: 7, ...precision(7) })), ['count']],
        ['code-value-number=urn:count$gt7', composite('code-value-number', pair(tok(undefined, 'urn:count'), { kind: 'number', prefix: 'gt', value: 7, ...precision(7) })), []],
      ]);
    });

    h.test('search composite: :missing, and no sorting by a composite', async () => {
      await check('Observation', [
        ['component-code-value-quantity:missing=true', criterion.missing('component-code-value-quantity', 'composite', true), ['panel', 'g5500mg', 'g5g', 'g4.9g', 'kg7', 'plain', 'concept', 'dated', 'text', 'uri', 'count']],
        ['component-code-value-quantity:missing=false', criterion.missing('component-code-value-quantity', 'composite', false), ['bp1', 'bp2']],
      ]);
      await expectFhirError(store.reader(tenant).search(searchRequest('Observation', [], { sort: [sortBy('code-value-quantity', 'composite')] })), 'invalid');
    });

    h.test('search composite: a reference second component (DocumentReference relationship)', async () => {
      await store.transaction(tenant, async (tx) => {
        await put(tx, document('doc1', 'replaces', 'DocumentReference/d0'));
        await put(tx, document('doc2', 'appends', 'DocumentReference/d0'));
        await put(tx, document('doc3', 'replaces', 'DocumentReference/d9'));
      });
      const replaces = tok(undefined, 'replaces');
      await check('DocumentReference', [
        ['relationship=replaces$DocumentReference/d0', composite('relationship', pair(replaces, { kind: 'reference', targetType: 'DocumentReference', targetId: 'd0' })), ['doc1']],
        ['relationship=replaces$d0', composite('relationship', pair(replaces, { kind: 'reference', targetId: 'd0' })), ['doc1']],
        [
          `relationship=${RELATION}|appends$DocumentReference/d0`,
          composite('relationship', pair(tok(RELATION, 'appends'), { kind: 'reference', targetType: 'DocumentReference', targetId: 'd0' })),
          ['doc2'],
        ],
        ['relationship=appends$DocumentReference/d9', composite('relationship', pair(tok(undefined, 'appends'), { kind: 'reference', targetType: 'DocumentReference', targetId: 'd9' })), []],
      ]);
    });

    h.test('search quantity: UCUM values compare in base units, keeping precision', async () => {
      const vq = (...values: ValueSearch[]): SearchCriterion => ({ param: 'value-quantity', type: 'quantity', values });
      const cases: Case[] = [
        ['value-quantity=gt5|http://unitsofmeasure.org|g', vq(ucum('gt', 5, 'g')), ['g5500mg', 'kg7']],
        ['value-quantity=ge5|http://unitsofmeasure.org|g', vq(ucum('ge', 5, 'g')), ['g5500mg', 'g5g', 'kg7']],
        ['value-quantity=5|http://unitsofmeasure.org|g', vq(ucum('eq', 5, 'g')), ['g5500mg', 'g5g', 'g4.9g']],
        ['value-quantity=5.00|http://unitsofmeasure.org|g', vq({ ...ucum('eq', 5, 'g'), low: 4.995, high: 5.005 }), ['g5g']],
        ['value-quantity=5500|http://unitsofmeasure.org|mg', vq(ucum('eq', 5500, 'mg')), ['g5500mg']],
        ['value-quantity=lt5000|http://unitsofmeasure.org|mg', vq(ucum('lt', 5000, 'mg')), ['g4.9g']],
        ['value-quantity=sa4.9|http://unitsofmeasure.org|g', vq(ucum('sa', 4.9, 'g')), ['g5500mg', 'g5g', 'kg7']],
        ['value-quantity=eb5000|http://unitsofmeasure.org|mg', vq(ucum('eb', 5000, 'mg')), ['g4.9g']],
        ['value-quantity=0.007|http://unitsofmeasure.org|kg', vq(ucum('eq', 0.007, 'kg')), []],
        ['value-quantity=7000|http://unitsofmeasure.org|g', vq(ucum('eq', 7000, 'g')), ['kg7']],
        // Mass never matches pressure, whatever the number.
        ['value-quantity=gt0|http://unitsofmeasure.org|mm[Hg]', vq(ucum('gt', 0, 'mm[Hg]')), []],
        // Without a unit, or with one that is not converted, values match as written.
        ['value-quantity=5500', vq(qty('eq', 5500)), ['g5500mg', 'plain']],
        ['value-quantity=5500||mg', vq(qty('eq', 5500, { code: 'mg' })), ['g5500mg']],
        ['value-quantity=5.5', vq(qty('eq', 5.5)), []],
        ['value-quantity=5|http://unitsofmeasure.org|g,gt5000||mg', vq(ucum('eq', 5, 'g'), qty('gt', 5000, { code: 'mg' })), ['g5500mg', 'g5g', 'g4.9g']],
      ];
      await check('Observation', cases);
      // Canonical rows are extra rows of the parameter: they do not count for :missing.
      await check('Observation', [['value-quantity:missing=true', criterion.missing('value-quantity', 'quantity', true), ['bp1', 'bp2', 'panel', 'concept', 'dated', 'text', 'uri', 'count']]]);
    });

    h.test('search reference:identifier and token:of-type', async () => {
      await store.transaction(tenant, async (tx) => {
        await put(tx, identified('mr12345', [{ system: 'urn:mrn', value: '12345', type: 'MR' }]));
        await put(tx, identified('dl12345', [{ system: 'urn:dl', value: '12345', type: 'DL' }]));
        await put(tx, identified('mr999', [{ system: 'urn:mrn', value: '999', type: 'MR' }, { system: 'urn:dl', value: '12345' }]));
        await put(tx, obs('by-identifier', 'x', { subject: { identifier: { system: 'urn:mrn', value: '12345' } } }));
        await put(tx, obs('by-both', 'x', { subject: { reference: 'Patient/mr12345', identifier: { system: 'urn:other', value: '12345' } } }));
        await put(tx, obs('by-reference', 'x', { subject: { reference: 'Patient/mr12345' } }));
      });
      const subjectId = (values: TokenSearch[]): SearchCriterion => ({ param: 'subject', type: 'reference', modifier: 'identifier', values });
      await check('Observation', [
        ['subject:identifier=urn:mrn|12345', subjectId([tok('urn:mrn', '12345')]), ['by-identifier']],
        ['subject:identifier=12345', subjectId([tok(undefined, '12345')]), ['by-identifier', 'by-both']],
        ['subject:identifier=urn:mrn|', subjectId([tok('urn:mrn')]), ['by-identifier']],
        ['subject:identifier=urn:mrn|999,urn:other|12345', subjectId([tok('urn:mrn', '999'), tok('urn:other', '12345')]), ['by-both']],
        ['subject=Patient/mr12345', criterion.reference('subject', [{ targetType: 'Patient', targetId: 'mr12345' }]), ['by-both', 'by-reference']],
        ['subject:missing=true', criterion.missing('subject', 'reference', true), ['bp1', 'bp2', 'panel', 'g5500mg', 'g5g', 'g4.9g', 'kg7', 'plain', 'concept', 'dated', 'text', 'uri', 'count', 'by-identifier']],
      ]);
      const ofType = (values: TokenSearch[]): SearchCriterion => ({ param: 'identifier', type: 'token', modifier: 'of-type', values });
      await check('Patient', [
        [`identifier:of-type=${V2}|MR|12345`, ofType([tok(V2, 'MR|12345')]), ['mr12345']],
        [`identifier:of-type=${V2}|DL|12345`, ofType([tok(V2, 'DL|12345')]), ['dl12345']],
        [`identifier:of-type=${V2}|MR|999,${V2}|DL|12345`, ofType([tok(V2, 'MR|999'), tok(V2, 'DL|12345')]), ['mr999', 'dl12345']],
        [`identifier:of-type=urn:other|MR|12345`, ofType([tok('urn:other', 'MR|12345')]), []],
        ['identifier=12345', criterion.token('identifier', [{ code: '12345' }]), ['mr12345', 'dl12345', 'mr999']],
      ]);
    });
  });
}

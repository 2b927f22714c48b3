import { describe, expect, it } from 'vitest';
import { bundleForDocument, formatFailure, ImportProblem, transactionOf } from './import-unit.ts';

describe('bundleForDocument', () => {
  it('passes transaction and batch Bundles through unchanged', () => {
    const transaction = { resourceType: 'Bundle', type: 'transaction', entry: [] };
    const batch = { resourceType: 'Bundle', type: 'batch', entry: [] };
    expect(bundleForDocument(transaction)).toBe(transaction);
    expect(bundleForDocument(batch)).toBe(batch);
  });

  it('turns a collection into a transaction of creates that keeps fullUrls', () => {
    const bundle = bundleForDocument({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { fullUrl: 'urn:uuid:1', resource: { resourceType: 'Patient', id: 'p1' } },
        { resource: { resourceType: 'Observation', subject: { reference: 'urn:uuid:1' } } },
      ],
    });
    expect(bundle.type).toBe('transaction');
    expect(bundle.entry?.map((e) => [e.fullUrl, e.request?.method, e.request?.url])).toEqual([
      ['urn:uuid:1', 'POST', 'Patient'],
      [undefined, 'POST', 'Observation'],
    ]);
  });

  it('wraps a single resource in a one-entry transaction', () => {
    const bundle = bundleForDocument({ resourceType: 'Patient', id: 'abc' });
    expect(bundle.entry).toEqual([{ resource: { resourceType: 'Patient', id: 'abc' }, request: { method: 'PUT', url: 'Patient/abc' } }]);
  });

  it.each([
    [[1, 2], /not a FHIR resource/],
    [{ id: 'x' }, /no "resourceType"/],
    [{ resourceType: 'Bundle', type: 'searchset' }, /Bundle.type "searchset" cannot be imported/],
    [{ resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'x' }] }, /Bundle.entry\[0\] has no resource/],
  ])('rejects %j', (document, message) => {
    expect(() => bundleForDocument(document)).toThrow(ImportProblem);
    expect(() => bundleForDocument(document)).toThrow(message);
  });
});

describe('transactionOf', () => {
  it('keeps ids with PUT and creates the rest with POST', () => {
    const bundle = transactionOf([{ resourceType: 'Patient', id: 'p1' }, { resourceType: 'Patient' }]);
    expect(bundle.entry?.map((e) => e.request)).toEqual([
      { method: 'PUT', url: 'Patient/p1' },
      { method: 'POST', url: 'Patient' },
    ]);
  });
});

describe('formatFailure', () => {
  it('writes file:line:column like a compiler', () => {
    expect(formatFailure({ file: 'a.ndjson', line: 3, column: 9, message: 'bad' })).toBe('a.ndjson:3:9: bad');
    expect(formatFailure({ file: 'a.ndjson', line: 3, message: 'bad' })).toBe('a.ndjson:3: bad');
    expect(formatFailure({ file: 'a.json', message: 'bad' })).toBe('a.json: bad');
  });
});

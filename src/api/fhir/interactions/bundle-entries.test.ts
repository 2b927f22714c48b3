import { describe, expect, it } from 'vitest';
import { FhirError } from '../../../fhir/outcome.ts';
import type { FhirRequest } from '../fhir-request.ts';
import { entryRequest, readBundle } from './bundle-entries.ts';

const BASE = 'https://ehr.example.org/fhir/R4';
const outer: FhirRequest = { method: 'POST', path: '', query: new URLSearchParams(), headers: {}, baseUrl: BASE };

function invalidAt(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FhirError);
    expect((e as FhirError).category).toBe('invalid');
    return (e as FhirError).issues.flatMap((i) => i.expression ?? []);
  }
  throw new Error('accepted');
}

describe('bundle entries', () => {
  it('turns an entry into a FhirRequest against the same base', () => {
    const e = entryRequest(
      { fullUrl: 'urn:uuid:1', resource: { resourceType: 'Patient' }, request: { method: 'PUT', url: `${BASE}/Patient?identifier=a%7Cb`, ifMatch: 'W/"2"', ifNoneExist: 'x=y' } },
      4,
      outer,
    );
    expect(e).toMatchObject({ index: 4, fullUrl: 'urn:uuid:1', resourceType: 'Patient' });
    expect(e.id).toBeUndefined();
    expect(e.request).toMatchObject({ method: 'PUT', path: 'Patient', baseUrl: BASE, headers: { ifMatch: 'W/"2"', ifNoneExist: 'x=y', prefer: 'return=minimal' } });
    expect(e.request.query.get('identifier')).toBe('a|b');
    const read = entryRequest({ request: { method: 'GET', url: '/Patient/7/_history/2' } }, 0, { ...outer, headers: { prefer: 'return=representation' } });
    expect(read).toMatchObject({ resourceType: 'Patient', id: '7', request: { path: 'Patient/7/_history/2', headers: { prefer: 'return=representation' } } });
  });

  it('unwraps a JSON Patch carried in a Binary', () => {
    const ops = [{ op: 'replace', path: '/gender', value: 'male' }];
    const data = Buffer.from(JSON.stringify(ops)).toString('base64');
    const e = entryRequest({ resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data }, request: { method: 'PATCH', url: 'Patient/1' } }, 0, outer);
    expect(e.request.body).toEqual(ops);
    expect(e.request.headers.contentType).toBe('application/json-patch+json');
  });

  it('names the offending element', () => {
    expect(invalidAt(() => entryRequest({ request: { method: 'POST', url: 'Patient' } }, 2, outer))).toContain('Bundle.entry[2].resource');
    expect(invalidAt(() => entryRequest({ request: { method: 'FETCH', url: 'Patient' } }, 3, outer))).toContain('Bundle.entry[3].request.method');
    expect(invalidAt(() => entryRequest({ request: { method: 'GET', url: 'https://elsewhere.org/fhir/Patient/1' } }, 1, outer))).toContain('Bundle.entry[1].request.url');
    expect(invalidAt(() => entryRequest({ resource: { resourceType: 'Bundle' }, request: { method: 'POST', url: '' } }, 0, outer))).toContain('Bundle.entry[0].request.url');
    expect(invalidAt(() => entryRequest({ resource: { resourceType: 'Bundle' }, request: { method: 'POST', url: '/' } }, 0, outer))).toContain('Bundle.entry[0].request.url');
    expect(invalidAt(() => entryRequest({ request: { method: 'GET', url: 'Patient/1', ifMatch: 3 } }, 0, outer))).toContain('Bundle.entry[0].request.ifMatch');
  });

  it('checks the envelope and bounds its size', () => {
    expect(readBundle({ resourceType: 'Bundle', type: 'batch' }, 5)).toEqual({ kind: 'batch', entries: [] });
    expect(invalidAt(() => readBundle({ resourceType: 'Bundle', type: 'searchset', entry: [] }, 5))).toEqual(['Bundle.type']);
    expect(invalidAt(() => readBundle({ resourceType: 'Bundle', type: 'batch', entry: {} }, 5))).toEqual(['Bundle.entry']);
    expect(() => readBundle({ resourceType: 'Bundle', type: 'batch', entry: [{}, {}] }, 1)).toThrow(expect.objectContaining({ category: 'too-large' }));
  });
});

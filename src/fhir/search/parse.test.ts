import { describe, expect, it } from 'vitest';
import { dateRange } from '../date-time.ts';
import { FhirError } from '../outcome.ts';
import { parseSearch } from './parse.ts';
import type { SearchCriterion, SearchRequest } from './types.ts';

const options = { strict: false, defaultCount: 20, maxCount: 100 };
const parse = (types: string[], query: string, o = options) => parseSearch(types, new URLSearchParams(query), o);
const criteria = (type: string, query: string): SearchCriterion[] => parse([type], query).request.criteria;

function failure(fn: () => unknown): FhirError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FhirError) return e;
    throw e;
  }
  throw new Error('expected a FhirError');
}

describe('parseSearch criteria', () => {
  it.each<[string, string, SearchCriterion[]]>([
    ['Patient', 'family=Núñez', [{ param: 'family', type: 'string', values: [{ kind: 'string', value: 'nunez' }] }]],
    ['Patient', 'family:exact=Núñez', [{ param: 'family', type: 'string', modifier: 'exact', values: [{ kind: 'string', value: 'Núñez' }] }]],
    ['Patient', 'name:contains=an', [{ param: 'name', type: 'string', modifier: 'contains', values: [{ kind: 'string', value: 'an' }] }]],
    ['Patient', 'given=a,b', [{ param: 'given', type: 'string', values: [{ kind: 'string', value: 'a' }, { kind: 'string', value: 'b' }] }]],
    ['Patient', 'given=a\\,b', [{ param: 'given', type: 'string', values: [{ kind: 'string', value: 'a,b' }] }]],
    [
      'Patient',
      'given=a&given=b',
      [
        { param: 'given', type: 'string', values: [{ kind: 'string', value: 'a' }] },
        { param: 'given', type: 'string', values: [{ kind: 'string', value: 'b' }] },
      ],
    ],
    ['Patient', 'identifier=urn:mrn|M1', [{ param: 'identifier', type: 'token', values: [{ kind: 'token', system: 'urn:mrn', code: 'M1' }] }]],
    ['Patient', 'identifier=|M1', [{ param: 'identifier', type: 'token', values: [{ kind: 'token', system: null, code: 'M1' }] }]],
    ['Patient', 'identifier=urn:mrn|', [{ param: 'identifier', type: 'token', values: [{ kind: 'token', system: 'urn:mrn' }] }]],
    ['Patient', 'gender:not=male', [{ param: 'gender', type: 'token', modifier: 'not', values: [{ kind: 'token', code: 'male' }] }]],
    ['Observation', 'code:text=Héight', [{ param: 'code', type: 'token', modifier: 'text', values: [{ kind: 'string', value: 'height' }] }]],
    ['Patient', '_id=a,b', [{ param: '_id', type: 'token', values: [{ kind: 'token', code: 'a' }, { kind: 'token', code: 'b' }] }]],
    ['Patient', 'birthdate:missing=true', [{ param: 'birthdate', type: 'date', modifier: 'missing', values: [{ kind: 'missing', missing: true }] }]],
    ['Patient', 'birthdate=ge1980-05', [{ param: 'birthdate', type: 'date', values: [{ kind: 'date', prefix: 'ge', ...dateRange('1980-05')! }] }]],
    ['Observation', 'subject=Patient/p1', [{ param: 'subject', type: 'reference', values: [{ kind: 'reference', targetType: 'Patient', targetId: 'p1' }] }]],
    ['Observation', 'patient=p1', [{ param: 'patient', type: 'reference', values: [{ kind: 'reference', targetType: 'Patient', targetId: 'p1' }] }]],
    ['Observation', 'subject=p1', [{ param: 'subject', type: 'reference', values: [{ kind: 'reference', targetId: 'p1' }] }]],
    ['Observation', 'subject:Group=g1', [{ param: 'subject', type: 'reference', modifier: 'Group', values: [{ kind: 'reference', targetType: 'Group', targetId: 'g1' }] }]],
    ['Observation', 'subject=http://x.org/Patient/1', [{ param: 'subject', type: 'reference', values: [{ kind: 'reference', url: 'http://x.org/Patient/1' }] }]],
    [
      'Observation',
      'value-quantity=gt5.4|http://unitsofmeasure.org|mg',
      [{ param: 'value-quantity', type: 'quantity', values: [{ kind: 'quantity', prefix: 'gt', value: 0.0054, low: 0.00535, high: 0.00545, system: 'http://unitsofmeasure.org', code: 'g', canonical: true }] }],
    ],
    ['RiskAssessment', 'probability=le0.5', [{ param: 'probability', type: 'number', values: [{ kind: 'number', prefix: 'le', value: 0.5, low: 0.45, high: 0.55 }] }]],
    ['ValueSet', 'url:below=http://hl7.org/fhir', [{ param: 'url', type: 'uri', modifier: 'below', values: [{ kind: 'uri', value: 'http://hl7.org/fhir' }] }]],
    [
      'Observation',
      'subject:Patient.name=ana',
      [{ param: 'subject', type: 'reference', values: [], chain: { targetType: 'Patient', criterion: { param: 'name', type: 'string', values: [{ kind: 'string', value: 'ana' }] } } }],
    ],
    [
      'Observation',
      'patient.identifier=urn:mrn|M1',
      [{ param: 'patient', type: 'reference', values: [], chain: { targetType: 'Patient', criterion: { param: 'identifier', type: 'token', values: [{ kind: 'token', system: 'urn:mrn', code: 'M1' }] } } }],
    ],
    [
      'Patient',
      '_has:Observation:patient:code=1234-5',
      [{ param: '_has', type: 'reference', values: [], has: { sourceType: 'Observation', referenceParam: 'patient', criterion: { param: 'code', type: 'token', values: [{ kind: 'token', code: '1234-5' }] } } }],
    ],
    ['Patient', 'family=', []],
  ])('%s?%s', (type, query, expected) => {
    expect(criteria(type, query)).toEqual(expected);
  });

  it('accepts the default _contained and reports the contained-resource searches it does not offer', () => {
    expect(parse(['Patient'], '_contained=false&_containedType=container').warnings).toEqual([]);
    expect(parse(['Patient'], '_contained=true').warnings[0].diagnostics).toContain('not supported');
    expect(() => parse(['Patient'], '_contained=true', { ...options, strict: true })).toThrow(/not supported/);
    expect(() => parse(['Patient'], '_contained=maybe')).toThrow(/must be one of/);
  });

  it('bounds the references one parameter may follow', () => {
    expect(parse(['Observation'], 'patient.general-practitioner:Practitioner.name=x').warnings).toEqual([]);
    expect(() => parse(['Observation'], 'patient.organization.partof.partof.name=x')).toThrow(/at most 3/);
    expect(() => parse(['Patient'], '_has:Observation:patient:_has:Provenance:target:_has:AuditEvent:entity:_has:Provenance:target:agent=x')).toThrow(/at most 3/);
  });

  it('chains through single-target parameters and picks the one target that has the parameter', () => {
    const [c] = criteria('Encounter', 'subject.birthdate=2000');
    expect(c.chain?.targetType).toBe('Patient'); // subject may be Patient or Group; only Patient has birthdate
    expect(failure(() => criteria('Observation', 'subject.name=x')).message).toContain('ambiguous');
  });

  it.each([
    ['Patient', 'birthdate=2020-13-01', 'Invalid date "2020-13-01"'],
    ['Patient', 'birthdate=lt', 'Invalid date'],
    ['Observation', 'value-quantity=abc', 'Invalid quantity'],
    ['Patient', 'gender:missing=maybe', ':missing takes true or false'],
    ['Patient', 'family:bogus=x', 'Unknown modifier :bogus'],
    ['Patient', 'gender:in=http://x', 'cannot expand the value set'],
    ['Patient', 'gender:in=not-a-url', 'needs a value set URL'],
    ['Observation', 'subject:Medication=1', 'cannot refer to Medication'],
    ['Observation', 'code.name=x', 'not a reference'],
    ['Patient', '_has:Observation:code:code=x', 'not a reference parameter'],
    ['Patient', '_has:Nope:patient:code=x', 'Unknown resource type "Nope"'],
    ['Patient', '_count=-1', '_count must be a non-negative integer'],
    ['Patient', '_total=some', '_total must be none, estimate or accurate'],
    ['Patient', '_include=Observation:patient', 'not a searched type'],
    ['Patient', '_include=Patient:name', 'not a reference'],
  ])('%s?%s is invalid', (type, query, message) => {
    const error = failure(() => parse([type], query));
    expect(error.category).toBe('invalid');
    expect(error.message).toContain(message);
  });
});

describe('parseSearch unknown parameters', () => {
  it('warns (lenient) or fails (strict) for unknown and unsupported parameters', () => {
    const { request, warnings } = parse(['Patient'], 'foo=1&_text=x&near=1&family=a');
    expect(request.criteria.map((c) => c.param)).toEqual(['family']);
    expect(warnings.map((w) => [w.severity, w.code])).toEqual([
      ['warning', 'not-supported'],
      ['warning', 'not-supported'],
      ['warning', 'not-supported'],
    ]);
    expect(warnings[0].diagnostics).toContain('"foo"');
    const error = failure(() => parse(['Patient'], 'foo=1', { ...options, strict: true }));
    expect(error.category).toBe('invalid');
    expect(error.issues[0]).toMatchObject({ severity: 'error', code: 'not-supported' });
  });

  it('ignores result parameters handled elsewhere, without warnings', () => {
    const { request, warnings } = parse(['Patient'], '_summary=true&_elements=id&_format=json&_pretty=true&_contained=false&_containedType=container&_type=Patient');
    expect(warnings).toEqual([]);
    expect(request.criteria).toEqual([]);
  });
});

describe('parseSearch result parameters', () => {
  it('defaults', () => {
    const expected: SearchRequest = { resourceTypes: ['Patient'], criteria: [], sort: [], count: 20, total: 'estimate', include: [], revinclude: [] };
    expect(parse(['Patient'], '').request).toEqual(expected);
  });

  it('_sort, _count (bounded), _total and _cursor', () => {
    const { request } = parse(['Patient'], '_sort=-birthdate,family,_id&_count=500&_total=none&_cursor=abc');
    expect(request.sort).toEqual([
      { param: 'birthdate', type: 'date', descending: true },
      { param: 'family', type: 'string', descending: false },
      { param: '_id', type: 'token', descending: false },
    ]);
    expect(request.count).toBe(100);
    expect(request.total).toBe('none');
    expect(request.cursor).toBe('abc');
    expect(parse(['Patient'], '_count=0').request.count).toBe(0);
    expect(parse(['Patient'], '_sort=nope').warnings).toHaveLength(1);
  });

  it('_include and _revinclude, with :iterate', () => {
    const { request } = parse(['Observation'], '_include=Observation:patient&_include=Observation:subject:Group&_revinclude=Provenance:target&_include:iterate=Patient:general-practitioner');
    expect(request.include).toEqual([
      { sourceType: 'Observation', param: 'patient', iterate: false },
      { sourceType: 'Observation', param: 'subject', targetType: 'Group', iterate: false },
      { sourceType: 'Patient', param: 'general-practitioner', iterate: true },
    ]);
    expect(request.revinclude).toEqual([{ sourceType: 'Provenance', param: 'target', iterate: false }]);
    const wild = parse(['Patient'], '_include=*&_revinclude=Observation:*&_include=Patient:*:Organization');
    expect(wild.warnings).toEqual([]);
    expect(wild.request.include).toEqual([
      { sourceType: '*', param: '*', iterate: false },
      { sourceType: 'Patient', param: '*', targetType: 'Organization', iterate: false },
    ]);
    expect(wild.request.revinclude).toEqual([{ sourceType: 'Observation', param: '*', iterate: false }]);
  });

  it('searches several types with their common parameters', () => {
    const { request, warnings } = parse(['Patient', 'Practitioner'], 'name=ana&_lastUpdated=gt2020');
    expect(warnings).toEqual([]);
    expect(request.criteria.map((c) => c.param)).toEqual(['name', '_lastUpdated']);
    expect(parse(['Patient', 'Practitioner'], 'birthdate=2000').warnings[0].diagnostics).toContain('Practitioner');
  });
});

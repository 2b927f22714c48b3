import { describe, expect, it } from 'vitest';
import { FhirError } from '../../fhir/outcome.ts';
import { parseResourceScope, resourceScope, resourceScopeProblem } from './scope-query.ts';

const VITAL_SIGNS = 'http://terminology.hl7.org/CodeSystem/observation-category|vital-signs';

describe('resource scopes', () => {
  it('reads v1 and v2 permissions as letters, without a query', () => {
    expect(parseResourceScope('user/*.read')).toEqual({ text: 'user/*.read', context: 'user', resourceType: '*', letters: 'rs' });
    expect(parseResourceScope('patient/Observation.write')?.letters).toBe('cud');
    expect(parseResourceScope('system/*.*')?.letters).toBe('cruds');
    expect(parseResourceScope('user/Condition.rs')?.letters).toBe('rs');
    expect(parseResourceScope('openid')).toBeUndefined();
    expect(parseResourceScope('launch/patient')).toBeUndefined();
  });

  it('parses a granular scope query into the criteria a search of the type would have', () => {
    const scope = parseResourceScope(`patient/Observation.rs?category=${VITAL_SIGNS}`)!;
    expect(scope).toMatchObject({ context: 'patient', resourceType: 'Observation', letters: 'rs', query: `category=${VITAL_SIGNS}` });
    expect(scope.criteria).toEqual([
      { param: 'category', type: 'token', values: [{ kind: 'token', system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] },
    ]);
    const condition = parseResourceScope('user/Condition.rs?category=problem-list-item')!;
    expect(condition.criteria).toEqual([{ param: 'category', type: 'token', values: [{ kind: 'token', code: 'problem-list-item' }] }]);
  });

  it('takes several parameters (all must match), several values (any), modifiers and other parameter types', () => {
    const scope = parseResourceScope('user/Observation.cruds?status=final,amended&code:not=http://loinc.org|8480-6')!;
    expect(scope.criteria).toHaveLength(2);
    expect(scope.criteria![0].values).toHaveLength(2);
    expect(scope.criteria![1].modifier).toBe('not');
    expect(parseResourceScope('user/Observation.rs?date=ge2020-01-01')!.criteria![0].type).toBe('date');
    expect(parseResourceScope('user/Condition.rs?clinical-status:missing=false')!.criteria![0].values).toEqual([{ kind: 'missing', missing: false }]);
  });

  it('puts the query in a fixed order, so the same scope written two ways compares equal', () => {
    expect(parseResourceScope('user/Observation.rs?status=final&category=laboratory')!.query).toBe(parseResourceScope('user/Observation.rs?category=laboratory&status=final')!.query);
  });

  it.each([
    ['user/Observation.rs?nonsense=1', /Unknown search parameter "nonsense"/],
    ['user/Observation.rs?category=', /category has no value/],
    ['user/Observation.rs?', /empty/],
    ['user/Observation.rs?_count=5', /selects nothing/],
    ['user/Observation.rs?_sort=date', /selects nothing/],
    ['user/Observation.rs?_include=Observation:patient', /selects nothing/],
    ['user/Observation.rs?patient.name=x', /chained and _has/],
    ['user/Patient.rs?_has:Observation:patient:code=x', /chained and _has/],
    ['user/*.rs?category=laboratory', /one resource type/],
    ['user/Observation.read?category=laboratory', /v2 permission letters/],
    ['user/AuditEvent.rs?action=R', /AuditEvent/],
    ['user/Observation.rs?date=yesterday', /date/i],
    ['user/Observation.rs?code:below=http://loinc.org|8480-6', /not supported|below/],
    ['user/Observation.rs?category:nope=x', /modifier/],
    ['user/Nope.rs?category=x', /not a FHIR R4 resource type/],
    ['user/Observation.sr', /cruds/],
  ])('refuses %s, saying why', (text, why) => {
    expect(() => parseResourceScope(text)).toThrow(FhirError);
    expect(resourceScopeProblem(text)).toMatch(why);
    expect(resourceScopeProblem(text)).toContain(`"${text}"`);
    // For the access decision an unenforceable scope is no scope: it grants nothing.
    expect(resourceScope(text)).toBeUndefined();
  });

  it('says nothing about valid scopes and scopes of other kinds', () => {
    for (const text of [`patient/Observation.rs?category=${VITAL_SIGNS}`, 'user/*.cruds', 'openid', 'offline_access']) expect(resourceScopeProblem(text), text).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { FhirError } from '../../fhir/outcome.ts';
import { appScopeCovered, describeScope, parseAppScope, parseAppScopes } from './app-scopes.ts';

const p = (s: string) => parseAppScope(s)!;

describe('app scopes', () => {
  it('accepts SMART v1 and v2 user/patient scopes and the launch and identity scopes', () => {
    for (const s of ['user/*.rs', 'user/Patient.read', 'patient/*.*', 'patient/Observation.cruds', 'user/Patient.write', 'openid', 'fhirUser', 'launch', 'launch/patient', 'offline_access', 'online_access']) {
      expect(parseAppScope(s), s).toBeDefined();
    }
  });

  it('refuses system scopes, unknown types and queries Heron cannot enforce', () => {
    for (const s of ['system/*.*', 'patient/Observation.rs?nonsense=1', 'patient/*.rs?category=laboratory', 'user/Observation.read?category=laboratory', 'user/Nope.rs', 'user/*.sr', 'profile', 'launch/encounter']) {
      expect(parseAppScope(s), s).toBeUndefined();
    }
    expect(() => parseAppScopes('openid system/*.*')).toThrow(FhirError);
    expect(() => parseAppScopes('openid user/Observation.rs?nonsense=1')).toThrow(/Not a supported app scope: "user\/Observation.rs\?nonsense=1": Unknown search parameter "nonsense"/);
  });

  it('accepts granular scopes and covers them by the same query or by the whole type', () => {
    const vitals = 'patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs';
    expect(parseAppScope(vitals)).toMatchObject({ kind: 'resource', resourceType: 'Observation', query: 'category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs' });
    const registered = parseAppScopes(`${vitals} user/Condition.rs`);
    expect(appScopeCovered(p(vitals), registered)).toBe(true);
    expect(appScopeCovered(p('patient/Observation.r?category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs'), registered)).toBe(true);
    expect(appScopeCovered(p('patient/Observation.rs'), registered)).toBe(false);
    expect(appScopeCovered(p('patient/Observation.rs?category=laboratory'), registered)).toBe(false);
    expect(appScopeCovered(p('patient/Observation.rs?category=laboratory'), parseAppScopes('patient/*.rs'))).toBe(true);
    expect(appScopeCovered(p('user/Condition.rs?category=problem-list-item'), registered)).toBe(true);
    expect(describeScope(p('user/Condition.rs?category=problem-list-item'), false)).toBe('Read and search Condition records matching category=problem-list-item you have access to');
  });

  it('coverage keeps user and patient contexts apart', () => {
    const registered = parseAppScopes('user/*.rs patient/Observation.read openid');
    expect(appScopeCovered(p('user/Patient.rs'), registered)).toBe(true);
    expect(appScopeCovered(p('user/Patient.read'), registered)).toBe(true);
    expect(appScopeCovered(p('user/Patient.c'), registered)).toBe(false);
    expect(appScopeCovered(p('patient/Observation.rs'), registered)).toBe(true);
    expect(appScopeCovered(p('patient/Patient.rs'), registered)).toBe(false);
    expect(appScopeCovered(p('openid'), registered)).toBe(true);
    expect(appScopeCovered(p('offline_access'), registered)).toBe(false);
  });

  it('describes scopes in words', () => {
    expect(describeScope(p('patient/Observation.rs'), true)).toBe('Read and search Observation records in your health record');
    expect(describeScope(p('user/*.cruds'), false)).toBe('Read, search, create, update and delete all kinds of records you have access to');
  });
});

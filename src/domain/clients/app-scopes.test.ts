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

  it('refuses system scopes, query suffixes and unknown types', () => {
    for (const s of ['system/*.*', 'patient/Observation.rs?category=laboratory', 'user/Nope.rs', 'user/*.sr', 'profile', 'launch/encounter']) {
      expect(parseAppScope(s), s).toBeUndefined();
    }
    expect(() => parseAppScopes('openid system/*.*')).toThrow(FhirError);
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

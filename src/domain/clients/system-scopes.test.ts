import { describe, expect, it } from 'vitest';
import { FhirError } from '../../fhir/outcome.ts';
import { parseSystemScope, parseSystemScopes, scopeCovered } from './system-scopes.ts';

const p = (s: string) => {
  const scope = parseSystemScope(s);
  if (!scope) throw new Error(`not a scope: ${s}`);
  return scope;
};

describe('system scopes', () => {
  it('accepts v1 and v2 system scopes', () => {
    for (const s of ['system/*.*', 'system/*.read', 'system/Patient.write', 'system/Observation.rs', 'system/*.cruds', 'system/Patient.c']) {
      expect(parseSystemScope(s), s).toBeDefined();
    }
    expect([...p('system/*.read').permissions].sort()).toEqual(['r', 's']);
    expect([...p('system/*.write').permissions].sort()).toEqual(['c', 'd', 'u']);
  });

  it('rejects other forms', () => {
    for (const s of ['user/*.*', 'patient/*.read', 'system/Nope.read', 'system/Patient.sr', 'system/Patient.crudsx', 'system/Patient.', 'system/*.rs?category=x', 'system/Observation.rs?nonsense=1', 'openid', 'system/Patient.readx']) {
      expect(parseSystemScope(s), s).toBeUndefined();
    }
  });

  it('accepts granular system scopes; a grant with a query covers only the same query', () => {
    expect(p('system/Observation.rs?category=laboratory').query).toBe('category=laboratory');
    expect(scopeCovered(p('system/Observation.rs?category=laboratory'), [p('system/Observation.rs?category=laboratory')])).toBe(true);
    expect(scopeCovered(p('system/Observation.rs?category=laboratory'), [p('system/*.read')])).toBe(true);
    expect(scopeCovered(p('system/Observation.rs'), [p('system/Observation.rs?category=laboratory')])).toBe(false);
    expect(scopeCovered(p('system/Observation.rs?category=vital-signs'), [p('system/Observation.rs?category=laboratory')])).toBe(false);
    expect(() => parseSystemScopes('system/Observation.rs?nonsense=1')).toThrow(/Unknown search parameter "nonsense"/);
  });

  it('parseSystemScopes reports every bad word and requires one scope', () => {
    expect(parseSystemScopes('system/*.read  system/*.read system/Patient.c').map((s) => s.text)).toEqual(['system/*.read', 'system/Patient.c']);
    try {
      parseSystemScopes('bad1 system/*.read bad2');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FhirError);
      expect((e as FhirError).category).toBe('invalid');
      expect((e as FhirError).issues).toHaveLength(2);
    }
    expect(() => parseSystemScopes('  ')).toThrow(FhirError);
  });

  it('scopeCovered narrows but never widens', () => {
    const all = [p('system/*.*')];
    expect(scopeCovered(p('system/Patient.read'), all)).toBe(true);
    expect(scopeCovered(p('system/*.cruds'), all)).toBe(true);
    const readOnly = [p('system/*.read')];
    expect(scopeCovered(p('system/Patient.rs'), readOnly)).toBe(true);
    expect(scopeCovered(p('system/Patient.c'), readOnly)).toBe(false);
    expect(scopeCovered(p('system/*.write'), readOnly)).toBe(false);
    const patientOnly = [p('system/Patient.*')];
    expect(scopeCovered(p('system/*.read'), patientOnly)).toBe(false);
    expect(scopeCovered(p('system/Observation.read'), patientOnly)).toBe(false);
    // Grants combine: a type grant plus a wildcard grant cover the union.
    expect(scopeCovered(p('system/Patient.cruds'), [p('system/Patient.read'), p('system/*.write')])).toBe(true);
  });
});

/**
 * The access decision, table-driven: role × resource type × interaction, scope narrowing and
 * scope forms, clients, practices. Expectations are written out by hand (not derived from the
 * role table they test).
 */
import { describe, expect, it } from 'vitest';
import type { Ctx } from '../context.ts';
import { isAllowed, scopeQueries, type Interaction } from './authorize.ts';
import type { Principal, Role } from './principal.ts';

function ctxFor(principal: Principal): Ctx {
  return { tenant: 't1', principal, store: undefined as never, audit: { record() {} }, origin: {} };
}
const user = (role: Role, scopes = ['user/*.cruds'], patients?: string[]): Principal => ({ kind: 'user', id: 'u1', tenant: 't1', role, scopes, ...(patients ? { patients } : {}) });
const allowed = (p: Principal, interaction: Interaction, resourceType?: string) => isAllowed(ctxFor(p), { interaction, resourceType });

// [role, type, interaction, allowed]
const MATRIX: [Role, string, Interaction, boolean][] = [
  ['physician', 'Observation', 'create', true],
  ['physician', 'Observation', 'delete', true],
  ['physician', 'Patient', 'update', true],
  ['physician', 'Patient', 'delete', false],
  ['physician', 'Claim', 'read', true],
  ['physician', 'Claim', 'update', false],
  ['physician', 'Practitioner', 'create', false],
  ['physician', 'AuditEvent', 'search-type', false],
  ['physician', 'AuditEvent', 'create', true],
  ['physician', 'AuditEvent', 'update', false],
  ['front-desk', 'AuditEvent', 'create', true],
  ['front-desk', 'AuditEvent', 'read', false],
  ['nurse', 'MedicationAdministration', 'create', true],
  ['nurse', 'Condition', 'delete', false],
  ['medical-assistant', 'Observation', 'create', true],
  ['medical-assistant', 'Observation', 'update', false],
  ['medical-assistant', 'Claim', 'read', false],
  ['front-desk', 'Appointment', 'delete', true],
  ['front-desk', 'Patient', 'create', true],
  ['front-desk', 'Coverage', 'update', true],
  ['front-desk', 'Observation', 'read', false],
  ['front-desk', 'Condition', 'search-type', false],
  ['billing', 'Claim', 'delete', true],
  ['billing', 'Condition', 'search-type', true],
  ['billing', 'Condition', 'create', false],
  ['practice-admin', 'AuditEvent', 'search-type', true],
  ['practice-admin', 'AuditEvent', 'create', true],
  ['practice-admin', 'AuditEvent', 'update', false],
  ['practice-admin', 'AuditEvent', 'delete', false],
  ['practice-admin', 'Practitioner', 'create', true],
  ['practice-admin', 'Observation', 'read', false],
  ['practice-admin', 'Patient', 'read', true],
];

describe('authorize', () => {
  it.each(MATRIX)('%s: %s %s -> %s', (role, type, interaction, expected) => {
    expect(allowed(user(role), interaction, type)).toBe(expected);
  });

  it("patients and proxies read their record and the directory, write nothing clinical; only a patient reads (their own record's) audit trail", () => {
    for (const role of ['patient', 'proxy'] as const) {
      const p = user(role, ['patient/*.rs'], ['p1']);
      expect(allowed(p, 'read', 'Observation')).toBe(true);
      expect(allowed(p, 'search-type', 'Condition')).toBe(true);
      expect(allowed(p, 'read', 'Practitioner')).toBe(true);
      expect(allowed(p, 'create', 'Observation')).toBe(false);
      expect(allowed(p, 'update', 'Patient')).toBe(false);
      // Narrowed to their own record's entries by domain/audit/own-disclosures.ts.
      expect(allowed(p, 'search-type', 'AuditEvent')).toBe(role === 'patient');
      // Neither reports events, whatever the scopes.
      expect(allowed(user(role, ['patient/*.cruds', 'patient/AuditEvent.c'], ['p1']), 'create', 'AuditEvent')).toBe(false);
      // No way around the compartment: history across resources and untyped searches are closed.
      expect(allowed(p, 'history-type', 'Observation')).toBe(false);
      expect(allowed(p, 'search-system')).toBe(false);
    }
  });

  it('reporting an AuditEvent takes a scope allowing create on it: v2 .c, v1 .write, or a wildcard', () => {
    for (const scopes of [['user/AuditEvent.c'], ['user/AuditEvent.cruds'], ['user/AuditEvent.write'], ['user/*.write'], ['user/*.*']]) {
      expect(allowed(user('nurse', scopes), 'create', 'AuditEvent'), scopes.join(' ')).toBe(true);
    }
    for (const scopes of [['user/AuditEvent.rs'], ['user/AuditEvent.read'], ['user/Observation.c'], ['patient/AuditEvent.c']]) {
      expect(allowed(user('nurse', scopes), 'create', 'AuditEvent'), scopes.join(' ')).toBe(false);
    }
    // A physician in an app launched for one patient reports with patient/ scopes.
    expect(allowed(user('physician', ['patient/AuditEvent.c'], ['p1']), 'create', 'AuditEvent')).toBe(true);
    const client = (scopes: string[]): Principal => ({ kind: 'client', id: 'svc', tenant: 't1', scopes });
    expect(allowed(client(['system/AuditEvent.c']), 'create', 'AuditEvent')).toBe(true);
    expect(allowed(client(['system/AuditEvent.write']), 'create', 'AuditEvent')).toBe(true);
    expect(allowed(client(['system/AuditEvent.rs']), 'create', 'AuditEvent')).toBe(false);
    expect(allowed(client(['system/AuditEvent.c']), 'update', 'AuditEvent')).toBe(false);
  });

  it('scopes narrow a role and never widen it', () => {
    const narrow = user('physician', ['user/Observation.rs']);
    expect(allowed(narrow, 'read', 'Observation')).toBe(true);
    expect(allowed(narrow, 'search-type', 'Observation')).toBe(true);
    expect(allowed(narrow, 'create', 'Observation')).toBe(false);
    expect(allowed(narrow, 'read', 'Patient')).toBe(false);
    // A scope beyond the role grants nothing the role lacks.
    expect(allowed(user('front-desk', ['user/*.*']), 'read', 'Observation')).toBe(false);
    expect(allowed(user('physician', ['user/*.*']), 'create', 'Practitioner')).toBe(false);
  });

  it('reads the SMART scope forms exactly', () => {
    const cases: [string, Interaction, string, boolean][] = [
      ['user/Observation.read', 'search-type', 'Observation', true],
      ['user/Observation.read', 'create', 'Observation', false],
      ['user/Observation.write', 'update', 'Observation', true],
      ['user/Observation.r', 'search-type', 'Observation', false],
      ['user/Observation.s', 'read', 'Observation', false],
      ['user/Observation.cu', 'update', 'Observation', true],
      // Allowed on the type; which Observations is bounded by the query (scopeQueries).
      ['user/Observation.rs?category=vital-signs', 'read', 'Observation', true],
      ['user/Observation.rs?category=vital-signs', 'read', 'Condition', false],
      ['user/Observation.rs?nonsense=1', 'read', 'Observation', false],
      ['user/Observation.sr', 'read', 'Observation', false],
      ['patient/Observation.rs', 'read', 'Observation', false],
      ['launch/patient', 'read', 'Observation', false],
      ['openid', 'read', 'Patient', false],
    ];
    for (const [scope, interaction, type, expected] of cases) expect(allowed(user('physician', [scope]), interaction, type), scope).toBe(expected);
    expect(allowed(user('physician', ['patient/Observation.rs'], ['p1']), 'read', 'Observation')).toBe(true);
  });

  it('granular scopes: the queries of the scopes allowing an interaction are a union; one without a query opens the type', () => {
    const vitals = 'user/Observation.rs?category=vital-signs';
    const labs = 'user/Observation.rs?category=laboratory';
    const codes = (p: Principal, letter = 's') => scopeQueries(p, 'Observation', letter)?.map((q) => q.map((c) => c.values.map((v) => (v as { code?: string }).code).join(',')));
    expect(codes(user('physician', [vitals]))).toEqual([['vital-signs']]);
    expect(codes(user('physician', [vitals, labs]))).toEqual([['vital-signs'], ['laboratory']]);
    expect(codes(user('physician', [vitals, 'user/Observation.rs']))).toBeUndefined();
    expect(codes(user('physician', [vitals, 'user/*.read']))).toBeUndefined();
    // Per letter: reading is bounded by the query, searching is open.
    expect(codes(user('physician', ['user/Observation.r?category=vital-signs', 'user/Observation.s']), 'r')).toEqual([['vital-signs']]);
    expect(codes(user('physician', ['user/Observation.r?category=vital-signs', 'user/Observation.s']), 's')).toBeUndefined();
    // patient/ scopes count only for patient-bound access; scopes of other types not at all.
    expect(codes(user('physician', ['patient/Observation.rs?category=laboratory', vitals]))).toEqual([['vital-signs']]);
    expect(codes(user('physician', ['patient/Observation.rs?category=laboratory', vitals], ['p1']))).toEqual([['laboratory'], ['vital-signs']]);
    expect(codes(user('physician', ['user/Condition.rs?category=problem-list-item']))).toEqual([]);
    expect(codes({ kind: 'client', id: 'c1', tenant: 't1', scopes: ['system/Observation.rs?category=laboratory'] })).toEqual([['laboratory']]);
    // A query never widens a role.
    expect(allowed(user('front-desk', [vitals]), 'read', 'Observation')).toBe(false);
  });

  it('history across resources is closed to every signed-in user, not to backend services', () => {
    expect(allowed(user('physician'), 'history-type', 'Observation')).toBe(false);
    expect(allowed(user('physician'), 'history-system')).toBe(false);
    expect(allowed(user('physician'), 'history-instance', 'Observation')).toBe(true);
    expect(allowed({ kind: 'client', id: 'c1', tenant: 't1', scopes: ['system/*.rs'] }, 'history-type', 'Observation')).toBe(true);
  });

  it('untyped searches need a role open on every category', () => {
    expect(allowed(user('physician'), 'search-system')).toBe(false);
    expect(allowed(user('physician'), 'search-system', 'Observation')).toBe(true);
  });

  it('clients act within their system scopes; nobody crosses practices', () => {
    const client: Principal = { kind: 'client', id: 'c1', tenant: 't1', scopes: ['system/*.rs'] };
    expect(allowed(client, 'read', 'Observation')).toBe(true);
    expect(allowed(client, 'create', 'Observation')).toBe(false);
    expect(allowed({ ...client, scopes: ['user/*.*'] }, 'read', 'Observation')).toBe(true);
    expect(isAllowed({ ...ctxFor(client), tenant: 't2' }, { interaction: 'read', resourceType: 'Observation' })).toBe(false);
    expect(isAllowed({ ...ctxFor(user('physician')), tenant: 't2' }, { interaction: 'read', resourceType: 'Observation' })).toBe(false);
  });
});

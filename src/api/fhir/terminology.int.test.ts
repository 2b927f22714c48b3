/**
 * Who may use the terminology operations: every role (directory types are readable by all), a
 * patient too, held to the scopes their app was granted; each call is audited like any other
 * operation. Through `dispatch`, with the principals a user's token gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../domain/audit/audit-sink.ts';
import type { Principal, Role } from '../../domain/access/principal.ts';
import type { Ctx } from '../../domain/context.ts';
import { ensureValueSets } from '../../domain/terminology/load.ts';
import { VALUE_SET_BASE } from '../../domain/terminology/value-sets.ts';
import { codeSystemResource, CODE_SYSTEMS } from '../../domain/terminology/code-systems.ts';
import { dispatchAs, startTestApp, type TestApp } from '../test-app.ts';

const CVX = CODE_SYSTEMS.cvx;
const ROLES: Role[] = ['physician', 'nurse', 'medical-assistant', 'front-desk', 'billing', 'practice-admin', 'patient', 'proxy'];

describe('terminology operations: access and audit', () => {
  let t: TestApp;
  const audits: AuditRecord[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    await ensureValueSets(t.store.terminology);
    await t.store.terminology.putConcepts([
      { system: CVX.url, code: '08', display: 'Hep B, adolescent or pediatric', kind: 'vaccine' },
      { system: CVX.url, code: '140', display: 'Influenza, split virus, trivalent, PF', kind: 'vaccine' },
    ]);
    await t.store.terminology.putResource({ resourceType: 'CodeSystem', url: CVX.url, id: CVX.id, content: JSON.stringify(codeSystemResource(CVX, 2)) });
  });
  afterAll(async () => {
    await t?.close();
  });

  const ctxOf = (role: Role, scopes: string[]): Ctx => {
    const patientBound = role === 'patient' || role === 'proxy';
    const principal: Principal = { kind: 'user', id: `user-${role}`, tenant: t.practiceId, role, scopes, ...(patientBound ? { fhirUser: 'Patient/p1', patients: ['p1'] } : {}) };
    return { tenant: t.practiceId, principal, store: t.store, audit: { record: (entry) => void audits.push(entry) }, origin: {} };
  };

  it('every role may expand and look up, and each call is audited', async () => {
    for (const role of ROLES) {
      const scopes = role === 'patient' || role === 'proxy' ? ['patient/*.rs'] : ['user/*.rs'];
      const ctx = ctxOf(role, scopes);
      const expanded = await dispatchAs(ctx, 'GET', `ValueSet/$expand?url=${VALUE_SET_BASE}vaccines&filter=hep`);
      expect(expanded.status, role).toBe(200);
      expect((expanded.body as any).expansion.contains).toEqual([{ system: CVX.url, code: '08', display: 'Hep B, adolescent or pediatric' }]);
      const looked = await dispatchAs(ctx, 'GET', `CodeSystem/cvx/$lookup?code=140`);
      expect(looked.status, role).toBe(200);
      const mine = audits.filter((a) => a.principal.id === `user-${role}`);
      expect(mine.map((a) => [a.action, a.resourceType, a.outcome])).toEqual([
        ['$expand', 'ValueSet', 'success'],
        ['$lookup', 'CodeSystem', 'success'],
      ]);
      expect(mine.every((a) => a.patients === undefined || a.patients.length === 0)).toBe(true);
    }
  });

  it('scopes narrow it: an app granted only clinical types may not, and a refusal is audited', async () => {
    const ctx = ctxOf('physician', ['user/Observation.rs']);
    expect(await dispatchAs(ctx, 'GET', `ValueSet/$expand?url=${VALUE_SET_BASE}vaccines`)).toMatchObject({ status: 'forbidden' });
    expect(audits.filter((a) => a.principal === ctx.principal).map((a) => [a.action, a.outcome])).toEqual([['$expand', 'failure']]);
    expect((await dispatchAs(ctxOf('nurse', ['user/ValueSet.rs']), 'GET', `ValueSet/$expand?url=${VALUE_SET_BASE}vaccines`)).status).toBe(200);
  });
});

import { describe, expect, it } from 'vitest';
import { describeScope, parseAppScope, parseAppScopes } from '../clients/app-scopes.ts';
import { parseSystemScopes } from '../clients/system-scopes.ts';
import type { UserRecord } from '../../store/user-accounts.ts';
import { adminRefusal } from './admin-access.ts';
import type { Principal } from './principal.ts';

const account = (o: Partial<UserRecord> = {}): UserRecord => ({ id: 'u1', tenant: 't1', email: 'a@x.org', passwordHash: 'x', role: 'practice-admin', status: 'active', failedSignIns: 0, tokensValidAfter: 0, createdAt: '', ...o });
const user = (o: Partial<Extract<Principal, { kind: 'user' }>> = {}): Principal => ({ kind: 'user', id: 'u1', tenant: 't1', role: 'practice-admin', scopes: ['openid', 'heron/admin'], ...o });

describe('who may use the admin API', () => {
  it('a practice administrator whose token carries heron/admin', () => {
    expect(adminRefusal(user(), account())).toBeUndefined();
  });

  it.each([
    ['no heron/admin scope', user({ scopes: ['openid', 'user/*.*'] }), account(), /heron\/admin/],
    ['another role in the token', user({ role: 'physician' }), account(), /practice administrator/],
    ['another role in the account (changed since the token)', user(), account({ role: 'billing' }), /practice administrator/],
    ['no account', user(), undefined, /practice administrator/],
    ['a disabled account', user(), account({ status: 'disabled' }), /may not/],
    ['an account of another practice', user(), account({ tenant: 't2' }), /may not/],
    ['a backend service', { kind: 'client', id: 'c1', tenant: 't1', scopes: ['system/*.*', 'heron/admin'] } as Principal, undefined, /client/],
    ['the system', { kind: 'system', id: 'heron-cli', tenant: 't1', scopes: ['system/*.*'] } as Principal, undefined, /client/],
  ])('refuses %s', (_name, principal, stored, message) => {
    expect(adminRefusal(principal, stored)).toMatch(message);
  });

  it('apps may be registered for heron/admin, backend services may not; the consent page says what it means', () => {
    expect(parseAppScopes('openid heron/admin').map((s) => s.text)).toEqual(['openid', 'heron/admin']);
    expect(() => parseSystemScopes('heron/admin')).toThrow();
    expect(describeScope(parseAppScope('heron/admin')!, false)).toMatch(/^Administer the practice/);
  });
});

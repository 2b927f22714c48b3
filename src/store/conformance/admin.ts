/** The admin store: practices, OAuth clients, settings (first writer wins). */
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { Harness } from './harness.ts';
import { expectFhirError } from './harness.ts';

export function adminSuite(h: Harness): void {
  describe('admin', () => {
    h.test('admin: practices are created, found by id and name, listed; duplicates conflict', async () => {
      const store = await h.store();
      const id = randomUUID();
      const practice = { id, name: `Practice ${id}`, createdAt: new Date().toISOString() };
      await store.admin.createPractice(practice);
      expect(await store.admin.getPractice(id)).toEqual(practice);
      expect(await store.admin.findPracticeByName(practice.name)).toEqual(practice);
      expect(await store.admin.getPractice(randomUUID())).toBeUndefined();
      expect(await store.admin.findPracticeByName('no such practice')).toBeUndefined();
      expect((await store.admin.listPractices()).map((p) => p.id)).toContain(id);
      await expectFhirError(store.admin.createPractice({ ...practice, name: 'Other name' }), 'conflict');
      await expectFhirError(store.admin.createPractice({ ...practice, id: randomUUID() }), 'conflict');
    });

    h.test('admin: OAuth clients belong to an existing practice', async () => {
      const store = await h.store();
      const practiceId = randomUUID();
      await store.admin.createPractice({ id: practiceId, name: `P ${practiceId}`, createdAt: new Date().toISOString() });
      const client = { clientId: randomUUID(), practiceId, secretHash: '$argon2id$x', scopes: 'system/*.*', name: 'Importer', createdAt: new Date().toISOString() };
      await store.admin.createClient(client);
      expect(await store.admin.getClient(client.clientId)).toEqual(client);
      expect(await store.admin.getClient(randomUUID())).toBeUndefined();
      await expectFhirError(store.admin.createClient(client), 'conflict');
      await expectFhirError(store.admin.createClient({ ...client, clientId: randomUUID(), practiceId: randomUUID() }), 'invalid');
    });

    h.test('admin: users are unique per practice by email; failed sign-ins lock in one statement', async () => {
      const store = await h.store();
      const tenant = randomUUID();
      await store.admin.createPractice({ id: tenant, name: `P ${tenant}`, createdAt: new Date().toISOString() });
      const user = { id: randomUUID(), tenant, email: 'a@example.org', passwordHash: '$argon2id$x', role: 'patient', patients: ['p1'], fhirUser: 'Patient/p1', status: 'active' as const, failedSignIns: 0, tokensValidAfter: 0, createdAt: new Date().toISOString() };
      await store.admin.users.create(user);
      expect(await store.admin.users.get(user.id)).toEqual(user);
      expect(await store.admin.users.findByEmail(tenant, 'a@example.org')).toEqual(user);
      await expectFhirError(store.admin.users.create({ ...user, id: randomUUID() }), 'conflict');
      await Promise.all(Array.from({ length: 4 }, () => store.admin.users.recordFailedSignIn(user.id, 1000, 5, 60_000)));
      expect(await store.admin.users.get(user.id)).toMatchObject({ failedSignIns: 4 });
      await store.admin.users.recordFailedSignIn(user.id, 1000, 5, 60_000);
      expect(await store.admin.users.get(user.id)).toMatchObject({ failedSignIns: 0, lockedUntil: 61_000 });
      await store.admin.users.recordSignIn(user.id, 70_000);
      expect(await store.admin.users.get(user.id)).toMatchObject({ failedSignIns: 0, lastSignInAt: 70_000 });
      expect((await store.admin.users.get(user.id))?.lockedUntil).toBeUndefined();
      expect(await store.admin.users.useMfaStep(user.id, 10)).toBe(true);
      expect(await store.admin.users.useMfaStep(user.id, 10)).toBe(false);
      expect(await store.admin.users.useMfaStep(user.id, 9)).toBe(false);
      await store.admin.users.replaceRecoveryCodes(user.id, ['h1', 'h2']);
      expect(await store.admin.users.useRecoveryCode(user.id, 'h1', 5)).toBe(true);
      expect(await store.admin.users.useRecoveryCode(user.id, 'h1', 6)).toBe(false);
      await store.admin.users.setRole(user.id, 'nurse', 80_000);
      expect(await store.admin.users.get(user.id)).toMatchObject({ role: 'nurse', tokensValidAfter: 80_000 });
      await store.admin.users.setMfaSecret(user.id, 'sealed');
      await store.admin.users.resetMfa(user.id, 90_000);
      const reset = await store.admin.users.get(user.id);
      expect(reset).toMatchObject({ tokensValidAfter: 90_000 });
      expect(reset?.mfaSecret).toBeUndefined();
      expect(reset?.mfaLastStep).toBeUndefined();
      expect(await store.admin.users.useRecoveryCode(user.id, 'h2', 7)).toBe(false);
      expect(await store.admin.users.practiceRequiresMfa(tenant)).toBe(false);
      await store.admin.users.setPracticeRequiresMfa(tenant, true);
      expect(await store.admin.users.practiceRequiresMfa(tenant)).toBe(true);
    });

    h.test('admin: codes and refresh tokens are used once, even concurrently', async () => {
      const store = await h.store();
      const tenant = randomUUID();
      await store.admin.createPractice({ id: tenant, name: `P ${tenant}`, createdAt: new Date().toISOString() });
      const userId = randomUUID();
      await store.admin.users.create({ id: userId, tenant, email: 'b@example.org', passwordHash: 'x', role: 'nurse', status: 'active', failedSignIns: 0, tokensValidAfter: 0, createdAt: '' });
      const grant = { id: randomUUID(), tenant, clientId: 'c', userId, scope: 'user/*.rs offline_access', createdAt: 1, expiresAt: 2e12 };
      await store.admin.grants.createGrant(grant);
      expect(await store.admin.grants.getGrant(grant.id)).toEqual(grant);
      await store.admin.grants.createCode({ codeHash: `code-${grant.id}`, tenant, grantId: grant.id, clientId: 'c', redirectUri: 'https://a/cb', codeChallenge: 'x', expiresAt: 5 });
      // Another client presenting the code or token neither gets it nor spends it.
      expect(await store.admin.grants.useCode(`code-${grant.id}`, 'other', 3)).toBeUndefined();
      const uses = await Promise.all(Array.from({ length: 5 }, () => store.admin.grants.useCode(`code-${grant.id}`, 'c', 3)));
      expect(uses.filter((u) => u?.firstUse)).toHaveLength(1);
      await store.admin.grants.createRefreshToken({ tokenHash: `rt-${grant.id}`, tenant, grantId: grant.id, createdAt: 1, expiresAt: 9 });
      expect(await store.admin.grants.useRefreshToken(`rt-${grant.id}`, 'other', 4)).toBeUndefined();
      expect(await store.admin.grants.getRefreshToken(`rt-${grant.id}`)).not.toHaveProperty('usedAt');
      const refreshes = await Promise.all(Array.from({ length: 5 }, () => store.admin.grants.useRefreshToken(`rt-${grant.id}`, 'c', 4)));
      expect(refreshes.filter((u) => u?.firstUse)).toHaveLength(1);
      expect(await store.admin.grants.getRefreshToken(`rt-${grant.id}`)).toMatchObject({ usedAt: 4 });
      await store.admin.grants.revokeGrant(grant.id, 7);
      expect(await store.admin.grants.getGrant(grant.id)).toMatchObject({ revokedAt: 7 });
      const request = { id: randomUUID(), tenant, clientId: 'c', params: '{}', stage: 'sign-in', browserHash: 'b', csrf: 'c1', expiresAt: Date.now() + 60_000 };
      await store.admin.grants.putRequest(request, Date.now());
      expect(await store.admin.grants.getRequest(request.id)).toEqual(request);
      const advances = await Promise.all([1, 2, 3].map(() => store.admin.grants.advanceRequest(request.id, 'sign-in', { stage: 'consent', csrf: 'c2', userId })));
      expect(advances.filter(Boolean)).toHaveLength(1);
      expect(await store.admin.grants.deleteRequest(request.id)).toBe(true);
      expect(await store.admin.grants.deleteRequest(request.id)).toBe(false);
    });

    h.test('admin: clients are listed per practice and a disabled one is found only on request', async () => {
      const store = await h.store();
      const practiceId = randomUUID();
      const other = randomUUID();
      for (const id of [practiceId, other]) await store.admin.createPractice({ id, name: `P ${id}`, createdAt: new Date().toISOString() });
      const client = (clientId: string, p = practiceId) => ({ clientId, practiceId: p, secretHash: '', scopes: 'openid', name: clientId, createdAt: new Date().toISOString(), redirectUris: ['https://a/cb'] });
      const ids = ['c-' + randomUUID(), 'b-' + randomUUID(), 'a-' + randomUUID()];
      for (const id of ids) await store.admin.createClient(client(id));
      await store.admin.createClient(client('z-' + randomUUID(), other));
      const sorted = [...ids].sort();
      expect((await store.admin.listClients(practiceId, { count: 10 })).map((c) => c.clientId)).toEqual(sorted);
      expect((await store.admin.listClients(practiceId, { count: 1, afterClientId: sorted[0] })).map((c) => c.clientId)).toEqual([sorted[1]]);

      expect(await store.admin.disableClient(ids[0], 1234)).toBe(true);
      expect(await store.admin.disableClient(ids[0], 5678)).toBe(false);
      expect(await store.admin.disableClient(randomUUID(), 1)).toBe(false);
      expect(await store.admin.getClient(ids[0])).toBeUndefined();
      expect(await store.admin.getClient(ids[0], { includeDisabled: true })).toEqual({ ...client(ids[0]), createdAt: expect.any(String), disabledAt: 1234 });
      expect((await store.admin.listClients(practiceId, { count: 10 })).find((c) => c.clientId === ids[0])?.disabledAt).toBe(1234);
      expect((await store.admin.getClient(ids[1]))?.disabledAt).toBeUndefined();

      // Use is kept to the minute: a token within a minute of the last one recorded writes nothing.
      await store.admin.noteClientUse(ids[1], 100_000, 60_000);
      await store.admin.noteClientUse(ids[1], 130_000, 60_000);
      expect((await store.admin.getClient(ids[1]))?.lastUsedAt).toBe(100_000);
      await store.admin.noteClientUse(ids[1], 170_000, 60_000);
      expect((await store.admin.getClient(ids[1]))?.lastUsedAt).toBe(170_000);
      expect((await store.admin.getClient(ids[2]))?.lastUsedAt).toBeUndefined();
    });

    h.test('admin: users are listed per practice by email, filtered by role and status', async () => {
      const store = await h.store();
      const tenant = randomUUID();
      const other = randomUUID();
      for (const id of [tenant, other]) await store.admin.createPractice({ id, name: `P ${id}`, createdAt: new Date().toISOString() });
      const user = (email: string, role: string, status: 'active' | 'disabled' | 'invited', t = tenant) => ({ id: randomUUID(), tenant: t, email, passwordHash: 'x', role, status, failedSignIns: 0, tokensValidAfter: 0, createdAt: '' });
      for (const u of [user('c@x.org', 'nurse', 'active'), user('a@x.org', 'physician', 'active'), user('b@x.org', 'nurse', 'disabled'), user('d@x.org', 'nurse', 'invited'), user('a@x.org', 'nurse', 'active', other)]) {
        await store.admin.users.create(u);
      }
      const emails = async (q: Parameters<typeof store.admin.users.list>[1]) => (await store.admin.users.list(tenant, q)).map((u) => u.email);
      expect(await emails({ count: 10 })).toEqual(['a@x.org', 'b@x.org', 'c@x.org', 'd@x.org']);
      expect(await emails({ count: 2, afterEmail: 'a@x.org' })).toEqual(['b@x.org', 'c@x.org']);
      expect(await emails({ count: 10, role: 'nurse' })).toEqual(['b@x.org', 'c@x.org', 'd@x.org']);
      expect(await emails({ count: 10, role: 'nurse', status: 'active' })).toEqual(['c@x.org']);
      expect(await emails({ count: 10, status: 'invited' })).toEqual(['d@x.org']);
    });

    h.test('admin: putSettingIfAbsent keeps the first value, also under concurrency', async () => {
      const store = await h.store();
      const key = `signing-key-${randomUUID()}`;
      expect(await store.admin.getSetting(key)).toBeUndefined();
      const values = await Promise.all(Array.from({ length: 10 }, (_, i) => store.admin.putSettingIfAbsent(key, JSON.stringify({ n: i }))));
      expect(new Set(values).size).toBe(1);
      expect(await store.admin.getSetting(key)).toBe(values[0]);
      expect(await store.admin.putSettingIfAbsent(key, 'other')).toBe(values[0]);
    });
  });
}

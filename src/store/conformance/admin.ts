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

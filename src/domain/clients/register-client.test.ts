import { describe, expect, it } from 'vitest';
import type { FhirStore, OAuthClient, Practice } from '../../store/store.ts';
import { authenticateClient } from './authenticate-client.ts';
import { registerClient } from './register-client.ts';

function fakeStore(): FhirStore & { clients: Map<string, OAuthClient>; practices: Map<string, Practice> } {
  const practices = new Map<string, Practice>([['p1', { id: 'p1', name: 'One', createdAt: new Date().toISOString() }]]);
  const clients = new Map<string, OAuthClient>();
  return {
    practices,
    clients,
    admin: {
      getPractice: async (id: string) => practices.get(id),
      createClient: async (c: OAuthClient) => void clients.set(c.clientId, c),
      getClient: async (id: string) => clients.get(id),
    },
  } as unknown as FhirStore & { clients: Map<string, OAuthClient>; practices: Map<string, Practice> };
}

describe('registerClient / authenticateClient', () => {
  it('stores only an argon2id hash of a 32-byte secret', async () => {
    const store = fakeStore();
    const { clientId, clientSecret } = await registerClient(store, { practiceId: 'p1', scopes: 'system/*.read  system/Patient.cruds', name: 'Lab' });
    expect(Buffer.from(clientSecret, 'base64url')).toHaveLength(32);
    const stored = store.clients.get(clientId)!;
    expect(stored.secretHash.startsWith('$argon2id$')).toBe(true);
    expect(stored.secretHash).not.toContain(clientSecret);
    expect(stored).toMatchObject({ practiceId: 'p1', scopes: 'system/*.read system/Patient.cruds', name: 'Lab' });
    expect(await authenticateClient(store, clientId, clientSecret)).toMatchObject({ clientId });
    expect(await authenticateClient(store, clientId, clientSecret + 'x')).toBeUndefined();
    expect(await authenticateClient(store, 'unknown', clientSecret)).toBeUndefined();
  });

  it('refuses an unknown practice and bad scopes as invalid', async () => {
    const store = fakeStore();
    await expect(registerClient(store, { practiceId: 'nope', scopes: 'system/*.*' })).rejects.toMatchObject({ category: 'invalid' });
    await expect(registerClient(store, { practiceId: 'p1', scopes: 'user/*.*' })).rejects.toMatchObject({ category: 'invalid' });
    await expect(registerClient(store, { practiceId: 'p1', scopes: '' })).rejects.toMatchObject({ category: 'invalid' });
    expect(store.clients.size).toBe(0);
  });

  it('no longer authenticates a client whose practice is gone', async () => {
    const store = fakeStore();
    const { clientId, clientSecret } = await registerClient(store, { practiceId: 'p1', scopes: 'system/*.*' });
    store.practices.delete('p1');
    expect(await authenticateClient(store, clientId, clientSecret)).toBeUndefined();
  });
});

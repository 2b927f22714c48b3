/**
 * The authenticator's synchronous cache path (`cached`): answers only for tokens verified before
 * and still trusted, for the right audience, and gives way to verification when due.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { registerClient } from '../../domain/clients/register-client.ts';
import type { FhirStore, OAuthClient, Practice } from '../../store/store.ts';
import { signAccessToken } from './access-token.ts';
import { createAuthenticator } from './authenticate.ts';
import { signingKeysFor } from './keys.ts';

const ROOT = 'https://ehr.example.org';
const FHIR_BASE = `${ROOT}/fhir/R4`;

function fakeStore(): FhirStore & { practices: Map<string, Practice> } {
  const practices = new Map<string, Practice>([['p1', { id: 'p1', name: 'One', createdAt: '' }]]);
  const clients = new Map<string, OAuthClient>();
  const settings = new Map<string, string>();
  return {
    practices,
    admin: {
      getPractice: async (id: string) => practices.get(id),
      createClient: async (c: OAuthClient) => void clients.set(c.clientId, c),
      getClient: async (id: string) => clients.get(id),
      getSetting: async (key: string) => settings.get(key),
      putSettingIfAbsent: async (key: string, value: string) => {
        if (!settings.has(key)) settings.set(key, value);
        return settings.get(key)!;
      },
    },
  } as unknown as FhirStore & { practices: Map<string, Practice> };
}

describe('authenticator cache', () => {
  let store: ReturnType<typeof fakeStore>;
  let header: string;

  beforeEach(async () => {
    store = fakeStore();
    const client = await registerClient(store, { practiceId: 'p1', scopes: 'system/*.read' });
    const { token } = await signAccessToken(await signingKeysFor(store)(), { issuer: ROOT, clientId: client.clientId, tenant: 'p1', scope: 'system/*.read', ttlSeconds: 300 });
    header = `Bearer ${token}`;
  });

  it('knows only tokens it has verified', async () => {
    const authenticate = createAuthenticator({ store, publicBaseUrl: ROOT });
    expect(authenticate.cached(header)).toBeUndefined();
    const principal = await authenticate(header);
    expect(authenticate.cached(header)).toBe(principal);
    // Another spelling of the same token: found through the token map, then remembered.
    expect(authenticate.cached(header.replace('Bearer', 'bearer'))).toBe(principal);
    expect(authenticate.cached(header)).toBe(principal);
    expect(authenticate.cached(undefined)).toBeUndefined();
    expect(authenticate.cached('Basic abc')).toBeUndefined();
    expect(authenticate.cached(header + 'x')).toBeUndefined();
  });

  it('answers only for the audience the token was verified for', async () => {
    const authenticate = createAuthenticator({ store });
    await authenticate(header, FHIR_BASE);
    expect(authenticate.cached(header, FHIR_BASE)).toBeDefined();
    expect(authenticate.cached(header, 'http://localhost:8080/fhir/R4')).toBeUndefined();
    await expect(authenticate(header, 'http://localhost:8080/fhir/R4')).rejects.toMatchObject({ category: 'unauthenticated' });
  });

  it('stops answering when the recheck is due, and resumes after a successful recheck', async () => {
    let now = Date.now();
    const authenticate = createAuthenticator({ store, publicBaseUrl: ROOT, recheckMs: 1000, now: () => now });
    const first = await authenticate(header);
    now += 1001;
    expect(authenticate.cached(header)).toBeUndefined();
    const again = await authenticate(header);
    expect(again).toEqual(first);
    expect(authenticate.cached(header)).toBe(again);
    store.practices.delete('p1');
    now += 1001;
    expect(authenticate.cached(header)).toBeUndefined();
    await expect(authenticate(header)).rejects.toMatchObject({ category: 'unauthenticated' });
    expect(authenticate.cached(header)).toBeUndefined();
  });
});

/** The signing key at rest: sealed with the server's secret key, unreadable without it. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../domain/users/secret-box.ts';
import { openStore } from '../../store/open-store.ts';
import type { FhirStore } from '../../store/store.ts';
import { loadSigningKeys, SEALED_SIGNING_KEY_SETTING } from './keys.ts';

describe('token signing key', () => {
  let store: FhirStore;
  beforeAll(async () => {
    store = await openStore({ memory: true, indexer: () => [] });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('is stored sealed when the server has a secret key, and reloads only with that key', async () => {
    const key = randomBytes(32);
    const first = await loadSigningKeys(store, createSecretBox(key));
    const stored = (await store.admin.getSetting(SEALED_SIGNING_KEY_SETTING))!;
    expect(stored).not.toContain('"d"');
    expect(stored).not.toContain(first.kid);
    const again = await loadSigningKeys(store, createSecretBox(key));
    expect(again.kid).toBe(first.kid);
    await expect(loadSigningKeys(store, createSecretBox(randomBytes(32)))).rejects.toThrow(/cannot be decrypted/);
  });
});

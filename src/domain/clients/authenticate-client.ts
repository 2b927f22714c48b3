/**
 * Checking a client's id and secret (OAuth client authentication).
 */
import { verify } from '@node-rs/argon2';
import type { FhirStore, OAuthClient } from '../../store/store.ts';

/**
 * An argon2id hash (same cost as real client secrets) of a random secret that was thrown away.
 * Unknown client ids are verified against it so that unknown and known ids take the same time:
 * no client-id enumeration by timing.
 */
const DECOY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$Z4SuQa5jcBtZsVvb2e6aUg$AdSXLK8p4tB1AHvx4cBIZJG1JKDYD0b7TspNO+BOMsI';

/**
 * Returns the client when `secret` is its secret and its practice still exists; otherwise
 * undefined. Never says which part failed: the token endpoint answers `invalid_client` alike.
 */
export async function authenticateClient(store: FhirStore, clientId: string, secret: string): Promise<OAuthClient | undefined> {
  const client = clientId ? await store.admin.getClient(clientId) : undefined;
  // A public app has no secret: nothing it sends can authenticate it as confidential.
  if (!client || client.public || !client.secretHash) {
    await verify(DECOY_HASH, secret);
    return undefined;
  }
  if (!(await verify(client.secretHash, secret))) return undefined;
  if (!(await store.admin.getPractice(client.practiceId))) return undefined;
  return client;
}

/**
 * The token signing key: one ES256 key pair per deployment, generated on first start and kept
 * in the data store so that every app server behind a load balancer signs and verifies with the
 * same key. First writer wins (`putSettingIfAbsent`), so servers starting together agree.
 *
 * The private JWK is stored as plain JSON for now; issue #4 encrypts it at rest (and adds key
 * rotation: a `kid` is already set so that several keys can coexist in the JWKS later).
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { FhirStore } from '../../store/store.ts';

export const SIGNING_KEY_SETTING = 'jwt-signing-key';
export const SIGNING_ALG = 'ES256';

export interface SigningKeys {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public key set served at `/.well-known/jwks.json`. */
  jwks: { keys: JWK[] };
}

/** Loads the deployment's signing key from the store, creating it if this is the first start. */
export async function loadSigningKeys(store: FhirStore): Promise<SigningKeys> {
  const existing = await store.admin.getSetting(SIGNING_KEY_SETTING);
  const stored = existing ?? (await store.admin.putSettingIfAbsent(SIGNING_KEY_SETTING, JSON.stringify(await newPrivateJwk())));
  const privateJwk = JSON.parse(stored) as JWK;
  if (privateJwk.kty !== 'EC' || privateJwk.crv !== 'P-256' || !privateJwk.d || !privateJwk.kid) {
    throw new Error(`Setting ${SIGNING_KEY_SETTING} does not hold a P-256 private JWK with a kid`);
  }
  const { d: _private, ...publicJwk } = privateJwk;
  const privateKey = (await importJWK(privateJwk, SIGNING_ALG)) as CryptoKey;
  const publicKey = (await importJWK(publicJwk, SIGNING_ALG)) as CryptoKey;
  return { kid: privateJwk.kid, privateKey, publicKey, jwks: { keys: [{ ...publicJwk, use: 'sig', alg: SIGNING_ALG }] } };
}

/**
 * A memoised `loadSigningKeys` for one store: the key is read once per process and reused for
 * every request. A failed load is not remembered, so a database hiccup at start heals itself.
 */
export function signingKeysFor(store: FhirStore): () => Promise<SigningKeys> {
  let loading: Promise<SigningKeys> | undefined;
  return () => {
    loading ??= loadSigningKeys(store).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

async function newPrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y });
  return { ...jwk, kid, alg: SIGNING_ALG };
}

/**
 * The token signing key: one ES256 key pair per deployment, generated on first start and kept
 * in the data store so that every app server behind a load balancer signs and verifies with the
 * same key. First writer wins (`putSettingIfAbsent`), so servers starting together agree.
 *
 * With a secret box (the server's secret key, `HERON_SECRET_KEY` or the key file) the private JWK
 * is stored sealed (AES-256-GCM) under its own setting, so a copy of the database alone cannot
 * mint tokens; without one (PostgreSQL without `HERON_SECRET_KEY`, tests) it is stored as JSON
 * and the server says so at start. A `kid` is set so several keys can coexist in the JWKS later.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { SecretBox } from '../../domain/users/secret-box.ts';
import type { FhirStore } from '../../store/store.ts';

export const SIGNING_KEY_SETTING = 'jwt-signing-key';
/** The sealed key's own setting: switching to sealed storage starts a new key rather than trusting an unsealed one. */
export const SEALED_SIGNING_KEY_SETTING = 'jwt-signing-key-sealed';
export const SIGNING_ALG = 'ES256';

export interface SigningKeys {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public key set served at `/.well-known/jwks.json`. */
  jwks: { keys: JWK[] };
}

/** Loads the deployment's signing key from the store, creating it if this is the first start. */
export async function loadSigningKeys(store: FhirStore, box?: SecretBox): Promise<SigningKeys> {
  const setting = box ? SEALED_SIGNING_KEY_SETTING : SIGNING_KEY_SETTING;
  const existing = await store.admin.getSetting(setting);
  const stored = existing ?? (await store.admin.putSettingIfAbsent(setting, seal(box, JSON.stringify(await newPrivateJwk()))));
  let text: string;
  try {
    text = box ? box.open(stored, SEALED_SIGNING_KEY_SETTING) : stored;
  } catch {
    throw new Error(`The token signing key cannot be decrypted: HERON_SECRET_KEY (or the data directory's secret-key file) is not the key it was sealed with`);
  }
  const privateJwk = JSON.parse(text) as JWK;
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
export function signingKeysFor(store: FhirStore, box?: SecretBox): () => Promise<SigningKeys> {
  let loading: Promise<SigningKeys> | undefined;
  return () => {
    loading ??= loadSigningKeys(store, box).catch((error: unknown) => {
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

function seal(box: SecretBox | undefined, json: string): string {
  return box ? box.seal(json, SEALED_SIGNING_KEY_SETTING) : json;
}

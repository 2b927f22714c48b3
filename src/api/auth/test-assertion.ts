/**
 * Test support: a client's side of `private_key_jwt` — a key pair with its public JWK, and client
 * assertions signed with it, well-formed or broken one claim or header at a time — for the
 * backend-services and asymmetric-app tests.
 */
import { createSign, KeyObject, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey, type JWK } from 'jose';

export interface ClientKey {
  privateKey: CryptoKey;
  /** The public key as registered: with its `kid` and `alg`. */
  jwk: JWK;
}

export async function clientKey(alg: 'RS384' | 'ES384' | 'RS256' | 'ES256', kid: string): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg } };
}

export interface AssertionOptions {
  alg?: string;
  kid?: string;
  typ?: string;
  jku?: string;
  iss?: string;
  sub?: string;
  aud?: string;
  /** Seconds since the epoch; four minutes ahead by default. */
  exp?: number;
  jti?: string;
  /** Sign with this instead of the client's key (another key, or an HMAC secret). */
  key?: CryptoKey | Uint8Array;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A client assertion from `clientId` for `audience`, signed with `key` (RS384/kid rsa-1 unless told). */
export function signAssertion(clientId: string, audience: string, key: ClientKey, o: AssertionOptions = {}): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: o.alg ?? key.jwk.alg ?? 'RS384', kid: o.kid ?? key.jwk.kid!, typ: o.typ ?? 'JWT', ...(o.jku !== undefined ? { jku: o.jku } : {}) })
    .setIssuer(o.iss ?? clientId)
    .setSubject(o.sub ?? clientId)
    .setAudience(o.aud ?? audience)
    .setExpirationTime(o.exp ?? nowSeconds() + 240)
    .setJti(o.jti ?? randomUUID())
    .sign(o.key ?? key.privateKey);
}

/** An unsigned (`alg: none`) assertion with otherwise valid claims. */
export function unsignedAssertion(clientId: string, audience: string): string {
  return new UnsecuredJWT({ jti: randomUUID() }).setIssuer(clientId).setSubject(clientId).setAudience(audience).setExpirationTime(nowSeconds() + 60).encode();
}

/** A JWS signed outside jose (which would refuse a mismatched algorithm itself) with an RSA key. */
export function rawSignedAssertion(clientId: string, audience: string, rsa: ClientKey, header: object, hash: string): string {
  const claims = { iss: clientId, sub: clientId, aud: audience, exp: nowSeconds() + 60, jti: randomUUID() };
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = createSign(hash).update(input).sign(KeyObject.from(rsa.privateKey)).toString('base64url');
  return `${input}.${signature}`;
}

/** Makes an assertion for `clientId` at `audience`, registered with the RSA key `rsa` (kid `rsa-1`). */
export type ForgeAssertion = (clientId: string, audience: string, rsa: ClientKey) => Promise<string>;

/** The security brief's forged assertions (AUT-SYS-3/7, AUTH-02), each to be refused as `invalid_client`. */
export const FORGED_ASSERTIONS: [string, ForgeAssertion][] = [
  ['alg not on the allowlist (RS512)', async (id, aud, rsa) => rawSignedAssertion(id, aud, rsa, { alg: 'RS512', kid: rsa.jwk.kid, typ: 'JWT' }, 'sha512')],
  ['alg none', async (id, aud) => unsignedAssertion(id, aud)],
  ['HS256 with the public key as the secret', (id, aud, rsa) => signAssertion(id, aud, rsa, { alg: 'HS256', key: new TextEncoder().encode(JSON.stringify(rsa.jwk)) })],
  ['wrong aud (the FHIR base)', (id, aud, rsa) => signAssertion(id, aud, rsa, { aud: aud.replace(/\/oauth2\/token$/, '/fhir/R4') })],
  ['expired', (id, aud, rsa) => signAssertion(id, aud, rsa, { exp: nowSeconds() - 60 })],
  ['exp more than 5 minutes ahead', (id, aud, rsa) => signAssertion(id, aud, rsa, { exp: nowSeconds() + 900 })],
  ['unknown kid', (id, aud, rsa) => signAssertion(id, aud, rsa, { kid: 'rsa-2' })],
  ['wrong iss', (id, aud, rsa) => signAssertion(id, aud, rsa, { iss: 'someone-else' })],
  ['sub differs from iss', (id, aud, rsa) => signAssertion(id, aud, rsa, { sub: 'someone-else' })],
  ['typ not JWT', (id, aud, rsa) => signAssertion(id, aud, rsa, { typ: 'at+jwt' })],
  ['signed with another key', async (id, aud, rsa) => signAssertion(id, aud, rsa, { key: (await generateKeyPair('RS384')).privateKey })],
  ['not a JWT', async () => 'not.a.jwt'],
];

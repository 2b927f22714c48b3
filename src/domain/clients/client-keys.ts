/**
 * The public keys a client registers for asymmetric client authentication (`private_key_jwt`:
 * SMART Backend Services, and SMART "client-confidential-asymmetric" apps): an inline JWK Set, or
 * the URL where the client publishes one. Checked at registration so that a private key pasted by mistake, a symmetric
 * key or a plain-http URL is refused before any token depends on it.
 * @see https://hl7.org/fhir/smart-app-launch/backend-services.html
 */
import { errors } from '../../fhir/outcome.ts';

/** What SMART requires servers to support (RS384, ES384), and their SHA-256 siblings. */
export const ASSERTION_ALGORITHMS = ['RS384', 'ES384', 'RS256', 'ES256'] as const;

const MAX_KEYS = 10;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const EC_CURVES = new Set(['P-256', 'P-384', 'P-521']);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** RSA keys below 2048 bits are refused (NIST SP 800-131A). */
const MIN_RSA_MODULUS_BYTES = 256;

/** How a client registered with keys finds them: inline, or at a URL (exactly one of the two). */
export type RegisteredKeys = { jwks: string } | { jwksUrl: string };

/**
 * Checks the keys a registration gives (a JWK Set as JSON, or a JWKS URL; exactly one) and
 * returns them as stored.
 * @throws FhirError `invalid` for neither, both, a bad key set or URL.
 */
export function registeredKeys(o: { jwks?: string; jwksUrl?: string }): RegisteredKeys {
  if ((o.jwks === undefined) === (o.jwksUrl === undefined)) throw errors.invalid('Give either a JWK Set or a JWKS URL', 'jwks');
  return o.jwks !== undefined ? { jwks: parseClientJwks(o.jwks) } : { jwksUrl: checkJwksUrl(o.jwksUrl!) };
}

/**
 * Parses and checks a JWK Set given as JSON; returns it normalised (public members only).
 * @throws FhirError `invalid` naming what is wrong.
 */
export function parseClientJwks(text: string, expression = 'jwks'): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw errors.invalid('The JWK Set is not JSON', expression);
  }
  const keys = (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_KEYS) throw errors.invalid(`A JWK Set is {"keys": [...]} with 1 to ${MAX_KEYS} public keys`, expression);
  const kids = new Set<string>();
  const out = keys.map((key: unknown, i) => {
    if (!key || typeof key !== 'object' || Array.isArray(key)) throw errors.invalid(`Key ${i} is not a JWK`, expression);
    const k = key as Record<string, unknown>;
    if (PRIVATE_MEMBERS.some((m) => m in k)) throw errors.invalid(`Key ${i} holds private or symmetric key material; register only the public key`, expression);
    if (typeof k.kid !== 'string' || !k.kid || k.kid.length > 256) throw errors.invalid(`Key ${i} needs a "kid"`, expression);
    if (kids.has(k.kid)) throw errors.invalid(`Key id "${k.kid}" appears twice`, expression);
    kids.add(k.kid);
    if (k.use !== undefined && k.use !== 'sig') throw errors.invalid(`Key "${k.kid}" is not for signatures (use=${String(k.use)})`, expression);
    if (k.alg !== undefined && !(ASSERTION_ALGORITHMS as readonly unknown[]).includes(k.alg)) throw errors.invalid(`Key "${k.kid}" has alg ${String(k.alg)}; supported: ${ASSERTION_ALGORITHMS.join(', ')}`, expression);
    if (k.kty === 'RSA') {
      if (typeof k.n !== 'string' || typeof k.e !== 'string') throw errors.invalid(`RSA key "${k.kid}" needs n and e`, expression);
      if (Buffer.from(k.n, 'base64url').length < MIN_RSA_MODULUS_BYTES) throw errors.invalid(`RSA key "${k.kid}" is shorter than 2048 bits`, expression);
      return pick(k, ['kty', 'kid', 'use', 'alg', 'n', 'e']);
    }
    if (k.kty === 'EC') {
      if (typeof k.crv !== 'string' || !EC_CURVES.has(k.crv) || typeof k.x !== 'string' || typeof k.y !== 'string') throw errors.invalid(`EC key "${k.kid}" needs crv (P-256, P-384, P-521), x and y`, expression);
      return pick(k, ['kty', 'kid', 'use', 'alg', 'crv', 'x', 'y']);
    }
    throw errors.invalid(`Key "${k.kid}" has kty ${String(k.kty)}; RSA or EC keys only`, expression);
  });
  return JSON.stringify({ keys: out });
}

/**
 * The JWKS URL rule, at registration and at every fetch: https, or plain http to the loopback
 * interface only (development and tests); no user info or fragment.
 * @throws FhirError `invalid`.
 */
export function checkJwksUrl(text: string, expression = 'jwksUrl'): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw errors.invalid(`"${text}" is not an absolute URL`, expression);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) throw errors.invalid('The JWKS URL must use https (http only for localhost)', expression);
  if (url.username || url.password || url.hash) throw errors.invalid('The JWKS URL must not carry credentials or a fragment', expression);
  return url.toString();
}

function pick(k: Record<string, unknown>, names: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of names) if (k[n] !== undefined) out[n] = k[n];
  return out;
}

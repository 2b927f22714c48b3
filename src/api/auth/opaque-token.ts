/**
 * Opaque one-time secrets (authorization codes, refresh tokens, the sign-in browser cookie):
 * 256 random bits, stored only as their SHA-256. A hash suffices here, unlike for passwords:
 * the secret is random, so there is nothing to guess offline.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashOpaque(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** Compares two strings in time that depends only on their length. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

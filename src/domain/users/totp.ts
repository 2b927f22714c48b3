/**
 * TOTP second factor (RFC 6238: 6 digits, 30-second steps, HMAC-SHA1 — what every authenticator
 * app implements) and single-use recovery codes. A code is accepted one step either side of now
 * (clock drift), and a step is accepted only once per user (ASVS 6.5.1): the store remembers the
 * last step used.
 */
import { randomBytes, createHash } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

const PERIOD_SECONDS = 30;
const RECOVERY_CODE_COUNT = 10;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function totpUri(secret: string, issuer: string, account: string): string {
  return new TOTP({ issuer, label: account, secret: Secret.fromBase32(secret), digits: 6, period: PERIOD_SECONDS, algorithm: 'SHA1' }).toString();
}

/** The time step the code belongs to, or undefined when it is not a current code. */
export function totpStep(secret: string, code: string, now = Date.now()): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = TOTP.validate({ token: code, secret: Secret.fromBase32(secret), digits: 6, period: PERIOD_SECONDS, algorithm: 'SHA1', timestamp: now, window: 1 });
  return delta === null ? undefined : Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
}

/** The current code (tests, and showing it in a development console). */
export function totpCode(secret: string, now = Date.now()): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), digits: 6, period: PERIOD_SECONDS, algorithm: 'SHA1', timestamp: now });
}

/** New recovery codes (60 random bits each, shown once) and the hashes to store. */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const hex = randomBytes(8).toString('hex').slice(0, 15);
    return `${hex.slice(0, 5)}-${hex.slice(5, 10)}-${hex.slice(10)}`;
  });
  return { codes, hashes: codes.map(hashRecoveryCode) };
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(code.trim().toLowerCase()).digest('base64url');
}

export function looksLikeRecoveryCode(code: string): boolean {
  return /^[0-9a-f]{5}-[0-9a-f]{5}-[0-9a-f]{5}$/i.test(code.trim());
}

import { describe, expect, it } from 'vitest';
import { createSecretBox } from './secret-box.ts';
import { passwordProblem } from './password-policy.ts';
import { hashRecoveryCode, newRecoveryCodes, totpCode, totpStep, newTotpSecret } from './totp.ts';
import { randomBytes } from 'node:crypto';

describe('password policy', () => {
  it.each([
    ['short', /at least 12/],
    ['password1234', /too easy to guess/],
    ['Password123!', /too easy to guess/],
    ['qwertyuiopasdfgh', /too easy to guess/],
    ['aaaaaaaaaaaaaaaa', /too easy to guess/],
    ['dr.grey@example.org', /too easy to guess/],
    ['x'.repeat(129), /at most 128/],
  ])('refuses %s', (password, message) => {
    expect(passwordProblem(password, ['dr.grey@example.org'])).toMatch(message);
  });

  it.each(['Velvet-Harbour-Lantern-42', 'correct horse battery staple', 'ünïcödé pässwörd with spaces', 'y'.repeat(3) + randomBytes(40).toString('base64')])('accepts %s', (password) => {
    expect(passwordProblem(password, ['dr.grey@example.org'])).toBeUndefined();
  });
});

describe('secret box', () => {
  const box = createSecretBox(randomBytes(32));
  it('round-trips, and refuses another record, another key or a changed byte', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => box.open(sealed, 'user-2')).toThrow();
    expect(() => createSecretBox(randomBytes(32)).open(sealed, 'user-1')).toThrow();
    const parts = sealed.split('.');
    parts[3] = (parts[3][0] === 'A' ? 'B' : 'A') + parts[3].slice(1);
    expect(() => box.open(parts.join('.'), 'user-1')).toThrow();
    expect(box.seal('same', 'u')).not.toBe(box.seal('same', 'u'));
  });
});

describe('TOTP', () => {
  it('accepts the current code and one step of drift, nothing older', () => {
    const secret = newTotpSecret();
    const now = 1_700_000_000_000;
    const step = Math.floor(now / 30_000);
    expect(totpStep(secret, totpCode(secret, now), now)).toBe(step);
    expect(totpStep(secret, totpCode(secret, now - 30_000), now)).toBe(step - 1);
    expect(totpStep(secret, totpCode(secret, now - 60_000), now)).toBeUndefined();
    expect(totpStep(secret, 'abcdef', now)).toBeUndefined();
  });

  it('recovery codes are random and stored hashed', () => {
    const { codes, hashes } = newRecoveryCodes();
    expect(new Set(codes).size).toBe(10);
    expect(hashes[0]).toBe(hashRecoveryCode(codes[0].toUpperCase()));
    expect(hashes.join()).not.toContain(codes[0]);
  });
});

/**
 * Every sign-in answer costs exactly one argon2id verification — unknown account, wrong
 * password, locked, disabled, success — so the time to answer does not tell whether an account
 * exists (ASVS 6.3.8). Counted, not timed: a timed comparison fails on a busy machine.
 */
import { describe, expect, it, vi } from 'vitest';
import type { FhirStore } from '../../store/store.ts';
import type { UserRecord } from '../../store/user-accounts.ts';
import { checkPassword, LOCKOUT_MS } from './sign-in.ts';

const argon2 = vi.hoisted(() => ({ verifications: 0 }));
vi.mock('@node-rs/argon2', () => ({
  verify: async (hash: string, password: string) => {
    argon2.verifications++;
    return hash === `hash-of:${password}`;
  },
}));

const NOW = Date.UTC(2026, 0, 1);

function storeWith(user: Partial<UserRecord> | undefined): FhirStore {
  const record = user && ({ id: 'u1', tenant: 'p1', email: 'a@example.org', passwordHash: 'hash-of:right', role: 'nurse', status: 'active', failedSignIns: 0, tokensValidAfter: 0, createdAt: '', ...user } as UserRecord);
  return {
    admin: {
      users: {
        findByEmail: async () => record,
        recordFailedSignIn: async () => undefined,
      },
    },
  } as unknown as FhirStore;
}

describe('checkPassword', () => {
  it.each([
    ['unknown account', undefined, 'right', 'unknown-account'],
    ['wrong password', {}, 'wrong', 'wrong-password'],
    ['locked account, right password', { lockedUntil: NOW + LOCKOUT_MS }, 'right', 'locked'],
    ['disabled account', { status: 'disabled' as const }, 'right', 'disabled'],
    ['right password', {}, 'right', undefined],
  ])('%s: one verification', async (_name, user, password, failure) => {
    argon2.verifications = 0;
    const result = await checkPassword(storeWith(user), 'p1', 'a@example.org', password, NOW);
    expect(result.ok ? undefined : result.failure).toBe(failure);
    expect(argon2.verifications).toBe(1);
  });
});

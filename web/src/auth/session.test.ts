import { describe, expect, it } from 'vitest';
import { Session, WARN_BEFORE_MS } from './session.ts';
import type { TokenSet } from './smart-client.ts';

const MINUTE = 60_000;

function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    key: (i) => [...map.keys()][i] ?? null,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
    clear: () => map.clear(),
  };
}

/** An unsigned JWT with these claims (the session only reads them). */
function jwt(claims: object): string {
  return `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
}

/** Tokens as the server gives them: access 10 minutes, session 15 minutes from `now`. */
function tokens(now: number, n: number): TokenSet {
  return { accessToken: jwt({ sub: 'u1', role: 'physician', fhirUser: 'Practitioner/p1', n }), accessExpiresAt: now + 10 * MINUTE, refreshToken: `r${n}`, sessionEndsAt: now + 15 * MINUTE, scope: '' };
}

function setup() {
  let now = 1_700_000_000_000;
  const refreshed: string[] = [];
  const revoked: string[] = [];
  const storage = memoryStorage();
  const deps = {
    storage,
    now: () => now,
    refresh: async (_clientId: string, refreshToken: string) => {
      refreshed.push(refreshToken);
      return tokens(now, refreshed.length + 1);
    },
    revoke: async (_clientId: string, token: string) => void revoked.push(token),
  };
  const session = new Session(deps);
  session.start(tokens(now, 1), 'client', 'Demo Practice');
  return { session, deps, refreshed, revoked, advance: (ms: number) => (now += ms), flush: () => new Promise((r) => setTimeout(r, 0)) };
}

describe('the session and its idle time-out', () => {
  it('knows the user from the access token', () => {
    const { session } = setup();
    expect(session.getState()).toMatchObject({ status: 'signed-in', user: { id: 'u1', role: 'physician', fhirUser: 'Practitioner/p1', practice: 'Demo Practice' }, warning: false });
  });

  it('refreshes when the user was active, so an active user is never warned', async () => {
    const t = setup();
    for (let i = 0; i < 4; i++) {
      t.advance(5 * MINUTE);
      t.session.noteActivity();
      t.advance(5 * MINUTE);
      t.session.tick();
      await t.flush();
    }
    expect(t.refreshed).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(t.session.getState()).toMatchObject({ status: 'signed-in', warning: false });
  });

  it('without activity: no refresh, a warning a minute before the end, then signed out as idle', async () => {
    const t = setup();
    t.advance(15 * MINUTE - WARN_BEFORE_MS - 1000);
    t.session.tick();
    expect(t.session.getState()).toMatchObject({ warning: false });
    t.advance(1000);
    t.session.tick();
    expect(t.session.getState()).toMatchObject({ status: 'signed-in', warning: true });
    expect(t.refreshed).toEqual([]);
    t.advance(WARN_BEFORE_MS);
    t.session.tick();
    expect(t.session.getState()).toEqual({ status: 'signed-out', reason: 'idle' });
    expect(t.deps.storage.length).toBe(0);
  });

  it('"stay signed in" refreshes and clears the warning', async () => {
    const t = setup();
    t.advance(14 * MINUTE + 10_000);
    t.session.tick();
    expect(t.session.getState()).toMatchObject({ warning: true });
    await t.session.staySignedIn();
    expect(t.refreshed).toEqual(['r1']);
    expect(t.session.getState()).toMatchObject({ status: 'signed-in', warning: false });
  });

  it('a request with an expired access token refreshes first (a request is activity)', async () => {
    const t = setup();
    t.advance(11 * MINUTE);
    const token = await t.session.accessToken();
    expect(t.refreshed).toEqual(['r1']);
    expect(token).not.toBe(tokens(0, 1).accessToken);
  });

  it('survives a reload of the tab (sessionStorage) and signs out by revoking the grant', async () => {
    const t = setup();
    const reloaded = new Session(t.deps);
    expect(reloaded.getState()).toMatchObject({ status: 'signed-in', user: { id: 'u1' } });
    await reloaded.signOut();
    expect(t.revoked).toEqual(['r1']);
    expect(reloaded.getState()).toEqual({ status: 'signed-out', reason: 'signed-out' });
    expect(new Session(t.deps).getState()).toEqual({ status: 'signed-out' });
  });

  it('a refresh the server refuses ends the session', async () => {
    const t = setup();
    t.deps.refresh = async () => {
      throw new Error('invalid_grant');
    };
    const session = new Session(t.deps);
    t.advance(11 * MINUTE);
    await expect(session.accessToken()).rejects.toThrow('invalid_grant');
    expect(session.getState()).toEqual({ status: 'signed-out', reason: 'refused' });
  });

  it('a token the server refused (its account disabled or its role changed) ends the session', () => {
    const t = setup();
    t.session.tokenRefused();
    expect(t.session.getState()).toEqual({ status: 'signed-out', reason: 'refused' });
    expect(new Session(t.deps).getState()).toEqual({ status: 'signed-out' });
  });
});

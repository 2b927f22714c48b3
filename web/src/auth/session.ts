/**
 * The signed-in session in this tab: the tokens, who the user is, and the idle time-out.
 *
 * Heron's `online_access` sessions end on the server when the refresh token goes unused for the
 * idle limit (15 minutes by default, docs/auth.md). So the session refreshes only when the user
 * did something since the last refresh; a minute before the end it warns instead, and "Stay signed
 * in" refreshes. Tokens live in memory and in sessionStorage (this tab only, gone when it closes)
 * so a reload does not sign the user out: docs/decisions/0003-first-party-web-client.md.
 *
 * Framework-free (React reads it with useSyncExternalStore), with the clock injected for tests.
 */
import type { TokenSet } from './smart-client.ts';

export interface SignedInUser {
  /** Heron's user id (`sub`): drafts are kept per user. */
  id: string;
  role: string;
  /** `Practitioner/…` for staff, when the account names one. */
  fhirUser?: string;
  practice: string;
  /** Patients and proxies: the record this sign-in is bound to (chosen at consent). */
  patient?: string;
  /** A proxy with limited access to that record: the app says parts of it are private. */
  limited?: boolean;
}

export type EndReason = 'idle' | 'signed-out' | 'refused';

export type SessionState =
  | { status: 'signed-out'; reason?: EndReason }
  | { status: 'signed-in'; user: SignedInUser; sessionEndsAt: number; warning: boolean };

/** How long before the end the user is warned. */
export const WARN_BEFORE_MS = 60_000;
/** An access token this close to expiry is refreshed before use. */
const ACCESS_MARGIN_MS = 30_000;
const STORAGE_KEY = 'heron.session';

interface Stored {
  tokens: TokenSet;
  clientId: string;
  user: SignedInUser;
  lastRefreshAt: number;
}

export interface SessionDeps {
  refresh: (clientId: string, refreshToken: string) => Promise<TokenSet>;
  revoke: (clientId: string, token: string) => Promise<void>;
  storage: Storage;
  now?: () => number;
}

/** The session could not give a token: the user must sign in again. */
export class SessionEndedError extends Error {
  constructor() {
    super('Your session has ended. Sign in again to continue.');
  }
}

export class Session {
  private stored?: Stored;
  private lastActivityAt = 0;
  private warning = false;
  private reason?: EndReason;
  private refreshing?: Promise<void>;
  private listeners = new Set<() => void>();
  private snapshot: SessionState = { status: 'signed-out' };
  private readonly now: () => number;

  constructor(private readonly deps: SessionDeps) {
    this.now = deps.now ?? (() => Date.now());
    const saved = deps.storage.getItem(STORAGE_KEY);
    if (saved) {
      const parsed = JSON.parse(saved) as Stored;
      if (parsed.tokens.sessionEndsAt > this.now()) this.stored = parsed;
      else deps.storage.removeItem(STORAGE_KEY);
    }
    this.publish();
  }

  getState = (): SessionState => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** After the sign-in callback. */
  start(tokens: TokenSet, clientId: string, practice: string): SignedInUser {
    const claims = decodeJwtPayload(tokens.accessToken);
    const user: SignedInUser = {
      id: String(claims.sub ?? ''),
      role: String(claims.role ?? ''),
      ...(typeof claims.fhirUser === 'string' ? { fhirUser: claims.fhirUser } : {}),
      ...(typeof claims.patient === 'string' ? { patient: claims.patient } : {}),
      ...(claims.limited === true ? { limited: true } : {}),
      practice,
    };
    this.stored = { tokens, clientId, user, lastRefreshAt: this.now() };
    this.lastActivityAt = this.now();
    this.warning = false;
    this.reason = undefined;
    this.save();
    return user;
  }

  /** Any keystroke or pointer press: the user is here, so the session may be extended. */
  noteActivity(): void {
    this.lastActivityAt = this.now();
  }

  /** A current access token, refreshed first when it is about to expire. */
  async accessToken(): Promise<string> {
    if (!this.stored) throw new SessionEndedError();
    if (this.stored.tokens.accessExpiresAt - ACCESS_MARGIN_MS <= this.now()) {
      // A request is activity: whoever triggered it is using the app.
      this.noteActivity();
      await this.refresh();
    }
    if (!this.stored) throw new SessionEndedError();
    return this.stored.tokens.accessToken;
  }

  /**
   * The access token as it is now, never refreshed for it: for a long-lived connection (the live
   * inbox's websocket), which must not keep an idle session alive the way a request does.
   */
  currentAccessToken(): string | undefined {
    return this.stored?.tokens.accessToken;
  }

  /**
   * Whether a request now would go out without refreshing the token first — which it counts as
   * the user's activity. Work the user did not ask for (the live inbox refetching after a
   * server's ping) waits while this is false, so it never keeps an idle session alive.
   */
  hasFreshAccessToken(): boolean {
    return this.stored !== undefined && this.stored.tokens.accessExpiresAt - ACCESS_MARGIN_MS > this.now();
  }

  /**
   * Called every second: refresh when the user was active, warn a minute before the end, end the
   * session locally when the server has ended it.
   */
  tick(): void {
    const s = this.stored;
    if (!s) return;
    const now = this.now();
    if (now >= s.tokens.sessionEndsAt) {
      this.end('idle');
      return;
    }
    const active = this.lastActivityAt > s.lastRefreshAt && !this.warning;
    const accessDue = now >= s.tokens.accessExpiresAt - ACCESS_MARGIN_MS;
    const warnDue = now >= s.tokens.sessionEndsAt - WARN_BEFORE_MS;
    if ((accessDue || warnDue) && active && s.tokens.refreshToken) {
      void this.refresh().catch(() => undefined);
    } else if (warnDue && !this.warning) {
      this.warning = true;
      this.publish();
    }
  }

  /** The answer to the warning. */
  async staySignedIn(): Promise<void> {
    this.noteActivity();
    await this.refresh();
  }

  /** The server refused this session's token: it ended the session there, so it ends here. */
  tokenRefused(): void {
    if (this.stored) this.end('refused');
  }

  async signOut(): Promise<void> {
    const s = this.stored;
    this.end('signed-out');
    // Revoking the refresh token ends the grant on the server; the access token dies with it.
    if (s) await this.deps.revoke(s.clientId, s.tokens.refreshToken ?? s.tokens.accessToken);
  }

  private refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const s = this.stored;
    if (!s?.tokens.refreshToken) {
      this.end('idle');
      throw new SessionEndedError();
    }
    try {
      const tokens = await this.deps.refresh(s.clientId, s.tokens.refreshToken);
      this.stored = { ...s, tokens, lastRefreshAt: this.now() };
      this.warning = false;
      this.save();
    } catch (error) {
      // The server refused (session over, user disabled, grant revoked): sign in again.
      this.end('refused');
      throw error;
    }
  }

  private end(reason: EndReason): void {
    this.stored = undefined;
    this.warning = false;
    this.reason = reason;
    this.deps.storage.removeItem(STORAGE_KEY);
    this.publish();
  }

  private save(): void {
    this.deps.storage.setItem(STORAGE_KEY, JSON.stringify(this.stored));
    this.publish();
  }

  private publish(): void {
    const s = this.stored;
    this.snapshot = s
      ? { status: 'signed-in', user: s.user, sessionEndsAt: s.tokens.sessionEndsAt, warning: this.warning }
      : { status: 'signed-out', ...(this.reason ? { reason: this.reason } : {}) };
    for (const listener of this.listeners) listener();
  }
}

/** The claims of a JWT, unchecked: only for display and keys (the server checks every token it gets). */
export function decodeJwtPayload(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1] ?? '';
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const json = decodeURIComponent(
    Array.from(atob(base64), (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''),
  );
  return JSON.parse(json) as Record<string, unknown>;
}

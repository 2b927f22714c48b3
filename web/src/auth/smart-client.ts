/**
 * Heron's web app as a SMART app: the authorization code flow with PKCE (S256) against Heron's
 * own authorization server, through oauth4webapi (no hand-written OAuth). A public client: it
 * has no secret, PKCE proves the code is ours.
 * @see https://hl7.org/fhir/smart-app-launch/app-launch.html
 */
import * as oauth from 'oauth4webapi';
import { callbackUrl, fhirBase, type ServerConfig } from './server-config.ts';

/**
 * Staff scopes: the user's own access to every resource type (their role and the practice's rules
 * still apply on the server), identity, and a signed-in session that lapses when idle
 * (`online_access`, docs/auth.md) rather than a long-lived `offline_access` refresh token; and the
 * admin API, which the server grants to practice administrators only.
 */
export const APP_SCOPES = 'openid fhirUser online_access user/*.cruds heron/admin';

const PENDING_KEY = 'heron.sign-in.pending';

/** What the token endpoint gave us, with the clock times it is good until. */
export interface TokenSet {
  accessToken: string;
  /** Epoch ms. */
  accessExpiresAt: number;
  refreshToken?: string;
  /** Epoch ms when the server ends the session if the refresh token is not used before. */
  sessionEndsAt: number;
  idToken?: string;
  scope: string;
}

interface PendingSignIn {
  state: string;
  codeVerifier: string;
  nonce: string;
  clientId: string;
  practice: string;
  returnTo: string;
}

/** The sign-in result with the practice and the path the user wanted. */
export interface SignInResult {
  tokens: TokenSet;
  clientId: string;
  practice: string;
  returnTo: string;
}

/** A sign-in that came back with an error the user should read (they denied, or it expired). */
export class SignInError extends Error {}

export class SmartClient {
  private discovery?: Promise<oauth.AuthorizationServer>;

  constructor(
    private readonly config: ServerConfig,
    private readonly now: () => number = () => Date.now(),
  ) {}

  private get options() {
    // Plain http is fine for localhost development; a deployment sets an https public URL.
    return { [oauth.allowInsecureRequests]: new URL(this.config.issuer).protocol === 'http:' };
  }

  authorizationServer(): Promise<oauth.AuthorizationServer> {
    this.discovery ??= (async () => {
      const issuer = new URL(this.config.issuer);
      const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...this.options });
      return oauth.processDiscoveryResponse(issuer, response);
    })();
    return this.discovery;
  }

  /** Sends the browser to Heron's sign-in page. */
  async beginSignIn(practice: { practice: string; clientId: string }, returnTo: string): Promise<void> {
    const as = await this.authorizationServer();
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const pending: PendingSignIn = {
      state: oauth.generateRandomState(),
      nonce: oauth.generateRandomNonce(),
      codeVerifier,
      clientId: practice.clientId,
      practice: practice.practice,
      returnTo,
    };
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: pending.clientId,
      redirect_uri: callbackUrl(),
      scope: APP_SCOPES,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      aud: fhirBase(this.config),
    }).toString();
    // sessionStorage: the verifier must survive the round trip through the sign-in pages, in this tab only.
    sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
    window.location.assign(url.toString());
  }

  /** Exchanges the code in the callback URL for tokens. */
  async completeSignIn(currentUrl: URL): Promise<SignInResult> {
    const saved = sessionStorage.getItem(PENDING_KEY);
    sessionStorage.removeItem(PENDING_KEY);
    if (!saved) throw new SignInError('This sign-in was not started in this browser tab, or it was already completed.');
    const pending = JSON.parse(saved) as PendingSignIn;
    const as = await this.authorizationServer();
    const client: oauth.Client = { client_id: pending.clientId };
    const error = currentUrl.searchParams.get('error');
    if (error) {
      const description = currentUrl.searchParams.get('error_description');
      throw new SignInError(error === 'access_denied' ? 'Access was not allowed, so you are not signed in.' : `Sign-in failed: ${description ?? error}.`);
    }
    const params = oauth.validateAuthResponse(as, client, currentUrl, pending.state);
    const started = this.now();
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, callbackUrl(), pending.codeVerifier, this.options);
    const result = await oauth.processAuthorizationCodeResponse(as, this.withServerClock(client, response), response, { expectedNonce: pending.nonce, requireIdToken: true });
    return { tokens: tokenSet(result, started), clientId: pending.clientId, practice: pending.practice, returnTo: pending.returnTo };
  }

  async refresh(clientId: string, refreshToken: string): Promise<TokenSet> {
    const as = await this.authorizationServer();
    const client: oauth.Client = { client_id: clientId };
    const started = this.now();
    const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, this.options);
    return tokenSet(await oauth.processRefreshTokenResponse(as, this.withServerClock(client, response), response), started);
  }

  /**
   * The client with the server's clock: the ID token's times are checked against the server's
   * `Date`, not this computer's clock, which on a shared workstation may be minutes off.
   */
  private withServerClock(client: oauth.Client, response: Response): oauth.Client {
    const serverTime = Date.parse(response.headers.get('date') ?? '');
    if (Number.isNaN(serverTime)) return client;
    return { ...client, [oauth.clockSkew]: Math.round((serverTime - this.now()) / 1000) };
  }

  /** Ends the grant on the server (RFC 7009): every token issued from this sign-in stops working. */
  async revoke(clientId: string, token: string): Promise<void> {
    const as = await this.authorizationServer();
    const response = await oauth.revocationRequest(as, { client_id: clientId }, oauth.None(), token, this.options);
    await oauth.processRevocationResponse(response);
  }
}

/** The server says how long the session lasts without use (`refresh_token_expires_in`); 15 minutes when it does not. */
const DEFAULT_SESSION_MS = 15 * 60_000;

function tokenSet(result: oauth.TokenEndpointResponse, started: number): TokenSet {
  const refreshSeconds = typeof result.refresh_token_expires_in === 'number' ? result.refresh_token_expires_in : undefined;
  return {
    accessToken: result.access_token,
    accessExpiresAt: started + (result.expires_in ?? 300) * 1000,
    ...(result.refresh_token ? { refreshToken: result.refresh_token } : {}),
    sessionEndsAt: result.refresh_token ? started + (refreshSeconds !== undefined ? refreshSeconds * 1000 : DEFAULT_SESSION_MS) : started + (result.expires_in ?? 300) * 1000,
    ...(result.id_token ? { idToken: result.id_token } : {}),
    scope: result.scope ?? '',
  };
}

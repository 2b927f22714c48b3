/**
 * Test support: drives the authorization code flow the way a browser does — follow the app's
 * redirect to `/oauth2/authorize`, read the hidden fields of the server-rendered forms, post
 * them with the sign-in cookie — over any transport (`inject()` in integration tests, `fetch`
 * against `heron serve` in API tests).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** One HTTP exchange; redirects are not followed. */
export type Http = (method: 'GET' | 'POST', url: string, o?: { headers?: Record<string, string>; form?: URLSearchParams }) => Promise<HttpAnswer>;

/** `Http` over Fastify's `inject()`: the integration tests' transport. */
export function injectHttp(app: FastifyInstance): Http {
  return async (method, url, o = {}) => {
    const res = await app.inject({
      method,
      url,
      headers: { ...o.headers, ...(o.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(o.form ? { payload: o.form.toString() } : {}),
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
    return { status: res.statusCode, headers, text: res.body };
  };
}

/** `Http` over `fetch` against a listening server: the API tests' transport. */
export const fetchHttp: Http = async (method, url, o = {}) => {
  const res = await fetch(url, {
    method,
    redirect: 'manual',
    headers: { ...o.headers, ...(o.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(o.form ? { body: o.form.toString() } : {}),
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k] = v));
  return { status: res.status, headers, text: await res.text() };
};

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The named inputs of the page's form: hidden values, and every checkbox value (as checked). */
export function formFields(html: string): { hidden: Record<string, string>; checkboxes: string[]; selects: Record<string, string[]> } {
  const hidden: Record<string, string> = {};
  const checkboxes: string[] = [];
  const unescape = (v: string) => v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) hidden[m[1]] = unescape(m[2]);
  for (const m of html.matchAll(/<input type="checkbox" name="scope" value="([^"]*)"/g)) checkboxes.push(unescape(m[1]));
  const selects: Record<string, string[]> = {};
  for (const m of html.matchAll(/<select id="[^"]*" name="([^"]+)"[^>]*>(.*?)<\/select>/gs)) {
    selects[m[1]] = [...m[2].matchAll(/<option value="([^"]*)">/g)].map((o) => unescape(o[1]));
  }
  return { hidden, checkboxes, selects };
}

export interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  scope: string;
  aud: string;
  state?: string;
  challenge?: string;
  method?: string;
  nonce?: string;
  extra?: Record<string, string>;
}

export function authorizeUrl(origin: string, p: AuthorizeParams): string {
  const q = new URLSearchParams({ response_type: 'code', client_id: p.clientId, redirect_uri: p.redirectUri, scope: p.scope, aud: p.aud, state: p.state ?? 'st-' + randomBytes(4).toString('hex') });
  if (p.challenge !== undefined) q.set('code_challenge', p.challenge);
  if (p.method !== undefined) q.set('code_challenge_method', p.method);
  if (p.nonce !== undefined) q.set('nonce', p.nonce);
  for (const [k, v] of Object.entries(p.extra ?? {})) q.set(k, v);
  return `${origin}/oauth2/authorize?${q}`;
}

export function cookieOf(answer: HttpAnswer): string {
  return (answer.headers['set-cookie'] ?? '').split(';')[0];
}

export interface FlowResult {
  /** The final redirect's query. */
  redirect: URL;
  consentPage: string;
}

/**
 * Signs in at an authorization URL and answers the consent page: `untick` scopes are left out;
 * `decision` deny refuses. Throws when a page is not the expected one.
 */
export async function signInAndConsent(
  http: Http,
  origin: string,
  url: string,
  o: { email: string; password: string; untick?: string[]; decision?: 'allow' | 'deny'; patient?: string; mfaCode?: () => string },
): Promise<FlowResult> {
  const start = await http('GET', url);
  if (start.status !== 200) throw new Error(`authorize answered ${start.status}: ${start.headers.location ?? start.text}`);
  const cookie = cookieOf(start);
  const signIn = formFields(start.text).hidden;
  let page = await http('POST', `${origin}/oauth2/authorize/sign-in`, {
    headers: { cookie },
    form: new URLSearchParams({ ...signIn, email: o.email, password: o.password }),
  });
  if (page.status !== 200) throw new Error(`sign-in answered ${page.status}: ${page.text}`);
  if (page.text.includes('action="/oauth2/authorize/mfa"')) {
    if (!o.mfaCode) throw new Error('a second factor was asked for');
    page = await http('POST', `${origin}/oauth2/authorize/mfa`, { headers: { cookie }, form: new URLSearchParams({ ...formFields(page.text).hidden, code: o.mfaCode() }) });
    if (page.status !== 200) throw new Error(`mfa answered ${page.status}: ${page.text}`);
    if (page.text.includes('recovery codes')) {
      page = await http('POST', `${origin}/oauth2/authorize/mfa`, { headers: { cookie }, form: new URLSearchParams(formFields(page.text).hidden) });
    }
  }
  const consent = formFields(page.text);
  if (!page.text.includes('action="/oauth2/authorize/consent"')) throw new Error(`expected the consent page, got: ${page.text}`);
  const form = new URLSearchParams(consent.hidden);
  for (const scope of consent.checkboxes) if (!(o.untick ?? []).includes(scope)) form.append('scope', scope);
  if (consent.selects.patient) form.set('patient', o.patient ?? consent.selects.patient[0]);
  form.set('decision', o.decision ?? 'allow');
  const done = await http('POST', `${origin}/oauth2/authorize/consent`, { headers: { cookie }, form });
  if (done.status !== 303) throw new Error(`consent answered ${done.status}: ${done.text}`);
  return { redirect: new URL(done.headers.location), consentPage: page.text };
}

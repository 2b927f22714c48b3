/**
 * The server-rendered pages of the authorization flow: sign-in, second factor, consent, error.
 * Plain HTML forms, no JavaScript; everything interpolated is escaped. They look like the web app
 * (page-style.ts, on the same design tokens). Each page is sent with
 * `no-store` (it may show who the user is) and a CSP that forbids scripts, framing (no
 * clickjacking of the consent button) and form posts anywhere but here and the app's redirect.
 */
import type { FastifyReply } from 'fastify';
import { BRAND, PAGE_STYLE, PAGE_STYLE_HASH } from './page-style.ts';


export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)} – Heron</title><style>${PAGE_STYLE}</style></head>
<body><main>${BRAND}<h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
}

/** Sends a page; `formTarget` is where a form on it may lead (the app's redirect URI, after consent). */
export async function sendPage(reply: FastifyReply, status: number, html: string, formTarget?: string): Promise<void> {
  const formAction = ["'self'"];
  if (formTarget !== undefined) {
    const url = new URL(formTarget);
    formAction.push(url.origin === 'null' ? url.protocol : url.origin);
  }
  await reply
    .code(status)
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      pragma: 'no-cache',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': `default-src 'none'; style-src 'sha256-${PAGE_STYLE_HASH}'; form-action ${formAction.join(' ')}; frame-ancestors 'none'; base-uri 'none'`,
    })
    .send(html);
}

const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;

export interface FormContext {
  requestId: string;
  csrf: string;
  appName: string;
  practiceName: string;
}

export function signInPage(c: FormContext & { error?: string; email?: string }): string {
  return layout(
    'Sign in',
    `<p><strong>${escapeHtml(c.appName)}</strong> asks you to sign in to ${escapeHtml(c.practiceName)}.</p>
${c.error ? `<p class="error" role="alert">${escapeHtml(c.error)}</p>` : ''}
<form method="post" action="/oauth2/authorize/sign-in">
${hidden('request', c.requestId)}${hidden('csrf', c.csrf)}
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(c.email ?? '')}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function mfaPage(c: FormContext & { error?: string; enrolment?: { secret: string; uri: string } }): string {
  const enrol = c.enrolment
    ? `<p>${escapeHtml(c.practiceName)} requires a second factor. Add this key to an authenticator app (or open the link on your phone), then enter the 6-digit code it shows.</p>
<p>Key: <code>${escapeHtml(c.enrolment.secret)}</code></p><p class="muted"><a href="${escapeHtml(c.enrolment.uri)}">${escapeHtml(c.enrolment.uri)}</a></p>`
    : '<p>Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>';
  return layout(
    'Second factor',
    `${enrol}
${c.error ? `<p class="error" role="alert">${escapeHtml(c.error)}</p>` : ''}
<form method="post" action="/oauth2/authorize/mfa">
${hidden('request', c.requestId)}${hidden('csrf', c.csrf)}
<label for="code">Code</label><input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit">Continue</button>
</form>`,
  );
}

export function recoveryCodesPage(c: FormContext & { codes: string[] }): string {
  return layout(
    'Your recovery codes',
    `<p>Keep these codes somewhere safe. Each one signs you in once if you lose your authenticator. They are shown only now.</p>
<ul>${c.codes.map((code) => `<li><code>${escapeHtml(code)}</code></li>`).join('')}</ul>
<form method="post" action="/oauth2/authorize/mfa">
${hidden('request', c.requestId)}${hidden('csrf', c.csrf)}${hidden('code', 'recovery-codes-saved')}
<button type="submit">I have saved them</button>
</form>`,
  );
}

export interface ConsentScope {
  scope: string;
  words: string;
}

export interface PatientChoice {
  id: string;
  label: string;
  birthDate?: string;
}

export function patientPickerPage(c: FormContext & { q?: string; results?: PatientChoice[]; error?: string }): string {
  const list =
    c.results === undefined
      ? ''
      : c.results.length === 0
        ? '<p>No patient of this practice has that name.</p>'
        : `<form method="post" action="/oauth2/authorize/patient">
${hidden('request', c.requestId)}${hidden('csrf', c.csrf)}
<fieldset><legend>Patients</legend>${c.results
            .map(
              (p) =>
                `<label><input type="radio" name="patient" value="${escapeHtml(p.id)}" required><span>${escapeHtml(p.label)}${p.birthDate ? ` <span class="muted">born ${escapeHtml(p.birthDate)}</span>` : ''} <span class="muted">(Patient/${escapeHtml(p.id)})</span></span></label>`,
            )
            .join('\n')}</fieldset>
<button type="submit">Open this patient</button>
</form>`;
  return layout(
    'Choose a patient',
    `<p><strong>${escapeHtml(c.appName)}</strong> will open one patient's record. Search ${escapeHtml(c.practiceName)}'s patients by name.</p>
${c.error ? `<p class="error" role="alert">${escapeHtml(c.error)}</p>` : ''}
<form method="post" action="/oauth2/authorize/patient">
${hidden('request', c.requestId)}${hidden('csrf', c.csrf)}
<label for="q">Name</label><input id="q" name="q" type="text" required value="${escapeHtml(c.q ?? '')}">
<button type="submit">Search</button>
</form>
${list}`,
  );
}

export function consentPage(c: FormContext & { userEmail: string; scopes: ConsentScope[]; offline?: ConsentScope; patients?: PatientChoice[]; patientNote?: string; redirectUri: string }): string {
  const box = (s: ConsentScope) =>
    `<label><input type="checkbox" name="scope" value="${escapeHtml(s.scope)}" checked><span>${escapeHtml(s.words)} <span class="muted">(${escapeHtml(s.scope)})</span></span></label>`;
  const patientChoice =
    c.patients && c.patients.length > 1
      ? `<label for="patient">Whose record</label><select id="patient" name="patient" required>${c.patients.map((p) => `<option value="${escapeHtml(p.id)}">${escapeHtml(p.label)}${p.birthDate ? `, born ${escapeHtml(p.birthDate)}` : ''}</option>`).join('')}</select>`
      : '';
  return layout(
    'Allow access?',
    `<p>Signed in as <strong>${escapeHtml(c.userEmail)}</strong>. <strong>${escapeHtml(c.appName)}</strong> asks to:</p>
<form method="post" action="/oauth2/authorize/consent">
${hidden('request', c.requestId)}${hidden('csrf', c.csrf)}
${patientChoice}
${c.patientNote ? `<p>For the record of <strong>${escapeHtml(c.patientNote)}</strong>.</p>` : ''}
<fieldset><legend>Access</legend>${c.scopes.map(box).join('\n')}</fieldset>
${c.offline ? `<fieldset><legend>Staying connected</legend>${box(c.offline)}<p class="muted">Untick this to make the app ask you to sign in again when its access ends (in minutes).</p></fieldset>` : ''}
<p class="muted">Untick anything you do not want to share. You can revoke access later. After you choose, you return to ${escapeHtml(new URL(c.redirectUri).host || c.redirectUri)}.</p>
<button type="submit" name="decision" value="allow">Allow</button><button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

export function setPasswordPage(c: { token: string; email: string; purpose: 'invite' | 'reset'; error?: string; birthDate?: string; offerMfa?: boolean }): string {
  // A patient's invitation carries the date of birth they confirmed, checked again with the password.
  const mfa = c.offerMfa
    ? `<fieldset><legend>Extra protection (optional)</legend><label><input type="checkbox" name="mfa" value="yes"><span>Also ask for a code from an authenticator app when I sign in. You set it up the first time you sign in.</span></label></fieldset>`
    : '';
  return layout(
    c.purpose === 'invite' ? 'Set your password' : 'Choose a new password',
    `<p>For <strong>${escapeHtml(c.email)}</strong>. At least 12 characters; a few unrelated words make a good password. Common or easily guessed passwords are refused.</p>
${c.error ? `<p class="error" role="alert">${escapeHtml(c.error)}</p>` : ''}
<form method="post" action="/auth/set-password">
${hidden('token', c.token)}${c.birthDate ? hidden('birthDate', c.birthDate) : ''}
<input type="email" name="username" autocomplete="username" value="${escapeHtml(c.email)}" hidden>
<label for="password">New password</label><input id="password" name="password" type="password" autocomplete="new-password" required minlength="12" maxlength="128">
<label for="confirm">Again</label><input id="confirm" name="confirm" type="password" autocomplete="new-password" required>
${mfa}
<button type="submit">Set password</button>
</form>`,
  );
}

/** The first step of accepting a patient's invitation: their date of birth, as day, month and year. */
export function birthDatePage(c: { token: string; practiceName: string; error?: string; day?: string; month?: string; year?: string }): string {
  const part = (name: string, label: string, value: string | undefined, max: number, cls = '') =>
    `<div${cls ? ` class="${cls}"` : ''}><label for="${name}">${label}</label><input id="${name}" name="${name}" type="text" inputmode="numeric" pattern="[0-9]*" maxlength="${max}" required value="${escapeHtml(value ?? '')}"${name === 'day' ? ' autocomplete="bday-day"' : name === 'month' ? ' autocomplete="bday-month"' : ' autocomplete="bday-year"'} aria-describedby="birth-date-hint${c.error ? ' birth-date-error' : ''}"></div>`;
  return layout(
    'Confirm who you are',
    `<p>${escapeHtml(c.practiceName)} invited you to its patient portal. To make sure this invitation reached the right person, enter your date of birth.</p>
${c.error ? `<p class="error" role="alert" id="birth-date-error">${escapeHtml(c.error)}</p>` : ''}
<form method="post" action="/auth/set-password/birth-date">
${hidden('token', c.token)}
<fieldset class="date-parts"><legend>Date of birth</legend>
${part('day', 'Day', c.day, 2)}${part('month', 'Month', c.month, 2)}${part('year', 'Year', c.year, 4, 'year')}
</fieldset>
<p class="hint" id="birth-date-hint">For example 27 3 1985</p>
<button type="submit">Continue</button>
</form>`,
  );
}

/** The end of accepting an invitation or reset: the way to sign in. */
export function passwordSetPage(c: { mfa: boolean; portal: boolean }): string {
  const next = c.mfa ? '<p>When you sign in, you will add an authenticator app (such as Google Authenticator or Microsoft Authenticator) and save recovery codes.</p>' : '';
  const action = c.portal ? '<a class="button" href="/">Sign in to the portal</a>' : '<p>Return to the app and sign in with it.</p>';
  return layout('Password set', `<p>Your password is set.</p>\n${next}\n${action}`);
}

export function simplePage(title: string, message: string): string {
  return layout(title, `<p>${escapeHtml(message)}</p>`);
}

export function errorPage(title: string, message: string): string {
  return layout(title, `<p class="error">${escapeHtml(message)}</p><p>Return to the app and try again. If this keeps happening, contact your practice.</p>`);
}

/**
 * The look of the server-rendered sign-in, second-factor, consent and account pages: the web
 * app's design tokens (web/src/design/tokens.css — change both together), in one stylesheet sent
 * inline and allowed by its hash, so the pages keep a CSP without 'unsafe-inline' and without
 * any JavaScript.
 */
import { createHash } from 'node:crypto';

export const PAGE_STYLE = `:root{--page:#f3f5f7;--surface:#fff;--text:#17212b;--muted:#4a5866;--border:#c9d1d9;--border-strong:#6b7785;--primary:#0b5f73;--primary-hover:#08485a;--primary-soft:#e3f1f4;--danger:#a3161a;--danger-soft:#fdecec;--focus:#1d4ed8}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;font-size:.9375rem;line-height:1.5;color:var(--text);background:var(--page)}
main{max-width:30rem;margin:3rem auto;padding:2rem;background:var(--surface);border:1px solid var(--border);border-radius:10px;box-shadow:0 1px 2px rgb(16 24 40/8%),0 1px 3px rgb(16 24 40/10%)}
.brand{display:flex;align-items:center;gap:.5rem;color:var(--primary);font-weight:650;font-size:1.375rem;margin-bottom:1rem}
.brand svg{flex:none}
h1{font-size:1.375rem;line-height:1.25;margin:0 0 1rem}
p{margin:0 0 .75rem}
a{color:var(--primary);text-underline-offset:2px;overflow-wrap:anywhere}
label{display:block;margin:1rem 0 .25rem;font-size:.8125rem;font-weight:500}
input[type=email],input[type=password],input[type=text],select{width:100%;min-height:2.25rem;padding:0 .75rem;font:inherit;color:var(--text);background:var(--surface);border:1px solid var(--border-strong);border-radius:6px}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
fieldset{border:1px solid var(--border);border-radius:6px;margin:1rem 0;padding:.5rem 1rem}
legend{font-weight:650;padding:0 .25rem}
fieldset label{display:flex;gap:.5rem;align-items:baseline;margin:.5rem 0;font-size:.9375rem;font-weight:400}
input[type=checkbox],input[type=radio]{width:1.1rem;height:1.1rem;accent-color:var(--primary);flex:none}
button{min-height:2.25rem;margin:1.25rem .5rem 0 0;padding:0 1.25rem;font:inherit;font-weight:500;border-radius:6px;border:1px solid transparent;background:var(--primary);color:#fff;cursor:pointer}
button:hover{background:var(--primary-hover)}
button[value=deny]{background:var(--surface);color:var(--primary);border-color:var(--border-strong)}
button[value=deny]:hover{background:var(--primary-soft)}
.error{color:var(--text);background:var(--danger-soft);border-left:4px solid var(--danger);border-radius:4px;padding:.75rem}
.muted{color:var(--muted);font-size:.8125rem}
code{word-break:break-all;font-family:ui-monospace,Menlo,Consolas,monospace}
ul{padding-left:1.25rem}
.date-parts{display:flex;gap:.75rem;margin:0;padding:0;border:0}
.date-parts legend{font-weight:500;font-size:.8125rem;padding:0;margin-top:1rem}
.date-parts label{display:block;margin:.25rem 0;font-size:.8125rem;font-weight:500}
.date-parts input[type=text]{width:4rem}
.date-parts .year input[type=text]{width:5.5rem}
.hint{color:var(--muted);font-size:.8125rem;margin:.25rem 0 0}
a.button{display:inline-block;min-height:2.25rem;margin-top:1rem;padding:.375rem 1.25rem;border-radius:6px;background:var(--primary);color:#fff;font-weight:500;text-decoration:none}
a.button:hover{background:var(--primary-hover)}`;

export const PAGE_STYLE_HASH = createHash('sha256').update(PAGE_STYLE).digest('base64');

/** The Heron mark and name, as inline SVG (no image request; `default-src 'none'` stays). */
export const BRAND = `<div class="brand"><svg aria-hidden="true" width="28" height="28" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0b5f73"/><path d="M9 24c3-1 5-4 6-8 1-3 3-6 7-7-2 2-3 4-3 7 0 5-4 8-10 8z" fill="#fff"/><circle cx="21.5" cy="8.5" r="1.2" fill="#fff"/></svg><span>Heron</span></div>`;

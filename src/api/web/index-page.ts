/**
 * index.html with what this server tells the app (`<meta name="heron-config">`): the OAuth issuer,
 * each practice's first-party client id, the redirect URIs those clients accept, and the documents'
 * size limit. A meta
 * element, not an inline script, so the CSP stays `script-src 'self'`.
 */
import { escapeHtml } from '../auth/sign-in-pages.ts';

export interface WebConfig {
  issuer: string;
  practices: Array<{ practice: string; client_id: string }>;
  redirect_uris: string[];
  /** The largest document file (Binary) the server accepts, so the page can refuse a bigger one before sending it. */
  max_binary_bytes: number;
}

export function indexPage(template: string, config: WebConfig): string {
  const meta = `<meta name="heron-config" content="${escapeHtml(JSON.stringify(config))}">`;
  const at = template.indexOf('</head>');
  if (at < 0) throw new Error('web/dist/index.html has no </head>');
  return `${template.slice(0, at)}${meta}\n${template.slice(at)}`;
}

/** What `/` answers when web/dist has not been built (e.g. `heron serve` straight after a checkout). */
export const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Heron</title></head>
<body><main><h1>The Heron web app is not built</h1><p>Run <code>npm run build:web</code> (or <code>npm start</code>, which builds it), then reload. The FHIR API at <code>/fhir/R4</code> works without it.</p></main></body></html>`;

/**
 * What the server tells the page about itself: `heron serve` puts a `<meta name="heron-config">`
 * into index.html (src/api/web/index-page.ts) with the OAuth issuer and, per practice, the client id
 * of the practice's first-party "Heron" app (docs/decisions/0003-first-party-web-client.md).
 */
export interface PracticeClient {
  practice: string;
  clientId: string;
}

export interface ServerConfig {
  /** The server root (OAuth issuer); the FHIR base is `${issuer}/fhir/R4`. */
  issuer: string;
  practices: PracticeClient[];
  /** Where the server lets the app's sign-in return to; the page must be at one of these origins. */
  redirectUris: string[];
  /** The largest document file the server accepts (bytes). */
  maxBinaryBytes: number;
}

export function readServerConfig(doc: Document = document): ServerConfig | undefined {
  const content = doc.querySelector('meta[name="heron-config"]')?.getAttribute('content');
  if (!content) return undefined;
  const raw = JSON.parse(content) as { issuer: string; practices: Array<{ practice: string; client_id: string }>; redirect_uris: string[]; max_binary_bytes: number };
  return {
    issuer: raw.issuer,
    practices: raw.practices.map((p) => ({ practice: p.practice, clientId: p.client_id })),
    redirectUris: raw.redirect_uris,
    maxBinaryBytes: raw.max_binary_bytes,
  };
}

/** The URL the server sends the user back to after sign-in, on this page's origin. */
export function callbackUrl(origin: string = window.location.origin): string {
  return `${origin}/auth/callback`;
}

export function fhirBase(config: ServerConfig): string {
  return `${config.issuer}/fhir/R4`;
}

export function adminBase(config: ServerConfig): string {
  return `${config.issuer}/admin/v1`;
}

/**
 * Opening a SMART Health Link as a receiver does: read the `shlink:/…` payload, ask the manifest
 * for the files (with who is asking and the passcode), decrypt the JWE with the link's key.
 * jose is imported only here, lazily, so the clinician app's bundle does not carry it.
 * @see https://docs.smarthealthit.org/smart-health-links/spec/
 */
import type { Bundle } from '@medplum/fhirtypes';

export interface ShlinkPayload {
  url: string;
  key: string;
  exp?: number;
  flag?: string;
  label?: string;
}

/** The payload of `…#shlink:/<base64url JSON>`, or undefined for anything else. */
export function parseShlink(fragment: string): ShlinkPayload | undefined {
  const at = fragment.indexOf('shlink:/');
  if (at < 0) return undefined;
  try {
    const b64 = fragment.slice(at + 'shlink:/'.length).replace(/-/g, '+').replace(/_/g, '/');
    const json = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0)))) as Partial<ShlinkPayload>;
    return typeof json.url === 'string' && typeof json.key === 'string' ? (json as ShlinkPayload) : undefined;
  } catch {
    return undefined;
  }
}

export type OpenResult = { kind: 'opened'; document: Bundle } | { kind: 'wrong-passcode'; remainingAttempts?: number } | { kind: 'gone' } | { kind: 'failed'; message: string };

export async function openShlink(link: ShlinkPayload, recipient: string, passcode: string | undefined): Promise<OpenResult> {
  let response: Response;
  try {
    response = await fetch(link.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ recipient, ...(passcode !== undefined ? { passcode } : {}) }) });
  } catch {
    return { kind: 'failed', message: 'The server could not be reached. Check your network connection, then try again.' };
  }
  if (response.status === 404) return { kind: 'gone' };
  if (response.status === 401) {
    const body = (await response.json().catch(() => ({}))) as { remainingAttempts?: number };
    return { kind: 'wrong-passcode', ...(typeof body.remainingAttempts === 'number' ? { remainingAttempts: body.remainingAttempts } : {}) };
  }
  if (!response.ok) return { kind: 'failed', message: `The server answered ${response.status}. Try again in a moment.` };
  const manifest = (await response.json()) as { files?: { contentType?: string; embedded?: string }[] };
  const file = manifest.files?.find((f) => f.contentType === 'application/fhir+json' && typeof f.embedded === 'string');
  if (!file?.embedded) return { kind: 'failed', message: 'The link holds no summary this page can show.' };
  try {
    const { compactDecrypt, base64url } = await import('jose');
    const { plaintext } = await compactDecrypt(file.embedded, base64url.decode(link.key));
    return { kind: 'opened', document: JSON.parse(new TextDecoder().decode(plaintext)) as Bundle };
  } catch {
    return { kind: 'failed', message: 'The summary could not be decrypted: the link may have been copied incompletely. Ask for it again.' };
  }
}

/**
 * The SMART Health Links wire formats: the `shlink:/` link (base64url JSON with the manifest URL,
 * the key, expiry, flags and label) and the encrypted file (compact JWE, `dir` + `A256GCM`), as
 * the specification gives them; encryption through `jose`.
 * @see https://docs.smarthealthit.org/smart-health-links/spec/
 */
import { CompactEncrypt } from 'jose';

export interface ShlinkPayload {
  /** The manifest URL. */
  url: string;
  /** 32 bytes, base64url (43 characters). */
  key: string;
  /** Epoch seconds. */
  exp: number;
  /** `P` when a passcode is needed. */
  flag?: string;
  label?: string;
  v: 1;
}

export function shlinkOf(payload: ShlinkPayload): string {
  return `shlink:/${Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url')}`;
}

/** The content as the manifest serves it: a compact JWE only the link's holder can open. */
export async function encryptFile(json: string, key: Uint8Array, contentType = 'application/fhir+json'): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(json)).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', cty: contentType }).encrypt(key);
}

/**
 * SMART Health Links a patient makes to share their summary: made (the summary encrypted with a
 * new key the server does not keep), listed with every opening, revoked at once, and opened by a
 * recipient through the public manifest URL (passcode with limited attempts, expiry). Every
 * opening is in the practice's audit trail as a disclosure of the patient's record.
 * docs/patient-summary.md
 */
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { errors } from '../../fhir/outcome.ts';
import type { AuditSink } from '../audit/audit-sink.ts';
import type { HealthLink, HealthLinkAccess } from '../../store/health-links.ts';
import type { FhirStore } from '../../store/store.ts';
import { encryptFile, shlinkOf } from './shlink.ts';

/** Wrong passcodes allowed before a link stops working. */
export const PASSCODE_ATTEMPTS = 10;
export const MIN_PASSCODE_LENGTH = 6;
export const MAX_LABEL_LENGTH = 80;
/** The longest a link may live. */
export const MAX_LINK_DAYS = 365;
const DAY = 86_400_000;

export interface NewHealthLink {
  tenant: string;
  patient: string;
  createdBy: string;
  label: string;
  /** Epoch ms. */
  expiresAt: number;
  passcode?: string;
  /** The summary document as JSON text. */
  content: string;
  now: number;
  /** Where the manifest is served: `<server root>/shl/`. */
  manifestBase: string;
}

export interface MadeHealthLink {
  link: HealthLink;
  /** The `shlink:/…` text: shown once, never stored. */
  shlink: string;
}

/** Checks what the patient asked for; the errors name the parameter. */
export function checkNewLink(input: { label: string; expiresAt: number; passcode?: string; now: number }): void {
  const label = input.label.trim();
  if (label === '' || label.length > MAX_LABEL_LENGTH) throw errors.invalid(`label must be 1 to ${MAX_LABEL_LENGTH} characters`, 'label');
  if (!(input.expiresAt > input.now)) throw errors.invalid('expires must be in the future', 'expires');
  if (input.expiresAt > input.now + MAX_LINK_DAYS * DAY) throw errors.invalid(`expires must be within ${MAX_LINK_DAYS} days`, 'expires');
  if (input.passcode !== undefined && input.passcode.length < MIN_PASSCODE_LENGTH) throw errors.invalid(`passcode must be at least ${MIN_PASSCODE_LENGTH} characters`, 'passcode');
}

export async function makeHealthLink(store: FhirStore, input: NewHealthLink): Promise<MadeHealthLink> {
  checkNewLink(input);
  const key = randomBytes(32);
  const id = randomBytes(32).toString('base64url');
  const link: HealthLink = {
    tenant: input.tenant,
    id,
    patient: input.patient,
    label: input.label.trim(),
    createdBy: input.createdBy,
    createdAt: input.now,
    expiresAt: input.expiresAt,
    ...(input.passcode !== undefined ? { passcodeHash: await hash(input.passcode) } : {}),
    attemptsLeft: PASSCODE_ATTEMPTS,
    content: await encryptFile(input.content, key),
  };
  await store.healthLinks.create(link);
  const shlink = shlinkOf({
    url: `${input.manifestBase}${id}`,
    key: key.toString('base64url'),
    exp: Math.floor(input.expiresAt / 1000),
    ...(input.passcode !== undefined ? { flag: 'P' } : {}),
    label: link.label,
    v: 1,
  });
  return { link, shlink };
}

/** A link's state as its owner sees it. */
export function linkStatus(link: HealthLink, now: number): 'active' | 'revoked' | 'expired' | 'locked' {
  if (link.revokedAt !== undefined) return 'revoked';
  if (link.expiresAt <= now) return 'expired';
  if (link.attemptsLeft <= 0) return 'locked';
  return 'active';
}

export interface ManifestRequest {
  id: string;
  recipient: string;
  passcode?: string;
  ip?: string;
  userAgent?: string;
  now: number;
}

/** What the manifest endpoint answers: the files, or why not (status and body as the spec gives them). */
export type ManifestAnswer = { status: 200; body: { files: { contentType: string; embedded: string }[] } } | { status: 401; body: { remainingAttempts: number } } | { status: 404 };

/**
 * Opens a link for a recipient. An unknown, revoked, expired or locked link is 404, all alike
 * (the spec's answer for a link that no longer works); a wrong passcode 401 with the attempts left.
 */
export async function openManifest(store: FhirStore, audit: AuditSink, request: ManifestRequest): Promise<ManifestAnswer> {
  const link = await store.healthLinks.get(request.id);
  if (link === undefined) return { status: 404 };
  const record = async (outcome: HealthLinkAccess['outcome']) => {
    await store.healthLinks.recordAccess(link.tenant, link.id, { at: request.now, recipient: request.recipient, ...(request.ip ? { ip: request.ip } : {}), outcome });
    // The recipient has no account: the entry names them as they said, with where they came from.
    await audit.record({
      tenant: link.tenant,
      principal: { kind: 'system', id: request.recipient, tenant: link.tenant, scopes: [] },
      at: new Date(request.now).toISOString(),
      action: 'health-link-open',
      outcome: outcome === 'served' ? 'success' : 'failure',
      patients: [`Patient/${link.patient}`],
      origin: { ...(request.ip ? { ip: request.ip } : {}), ...(request.userAgent ? { userAgent: request.userAgent } : {}) },
      ...(outcome !== 'served' ? { reason: outcome } : {}),
      detail: JSON.stringify({ link: link.label, createdBy: link.createdBy }),
    });
  };
  if (linkStatus(link, request.now) !== 'active') {
    await record('refused');
    return { status: 404 };
  }
  if (link.passcodeHash !== undefined && (request.passcode === undefined || !(await verify(link.passcodeHash, request.passcode)))) {
    const remainingAttempts = await store.healthLinks.spendAttempt(link.id);
    await record('wrong-passcode');
    return { status: 401, body: { remainingAttempts } };
  }
  await record('served');
  return { status: 200, body: { files: [{ contentType: 'application/fhir+json', embedded: link.content }] } };
}

/** A recipient's stated name: required, one line, bounded. */
export function recipientOf(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw errors.invalid('recipient is required: who is opening the link (e.g. "Dr Lee, City Hospital")', 'recipient');
  return value.replace(/\s+/g, ' ').trim().slice(0, 200);
}

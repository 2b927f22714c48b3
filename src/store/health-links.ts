/**
 * SMART Health Links a patient made, part of `FhirStore`: what the link's manifest serves (the
 * encrypted summary: the server never keeps the key, which lives only in the link), until when,
 * behind which passcode, and every time it was opened. docs/patient-summary.md
 */

export interface HealthLink {
  tenant: string;
  /** The manifest id: 43 base64url characters (256 random bits), unique across practices. */
  id: string;
  /** Patient id. */
  patient: string;
  label: string;
  /** The user who made it (a patient or proxy account id). */
  createdBy: string;
  /** Epoch ms. */
  createdAt: number;
  expiresAt: number;
  /** argon2id hash; absent when the link needs no passcode. */
  passcodeHash?: string;
  /** Wrong passcodes still allowed before the link stops working. */
  attemptsLeft: number;
  revokedAt?: number;
  /** The summary as a compact JWE (dir, A256GCM). */
  content: string;
}

export interface HealthLinkAccess {
  /** Epoch ms. */
  at: number;
  /** What the recipient said it is (the manifest request's `recipient`). */
  recipient: string;
  ip?: string;
  /** `served`, `wrong-passcode` or `refused` (revoked, expired or locked). */
  outcome: 'served' | 'wrong-passcode' | 'refused';
}

export interface HealthLinkStore {
  create(link: HealthLink): Promise<void>;
  /** By manifest id alone (the public manifest URL names no practice). */
  get(id: string): Promise<HealthLink | undefined>;
  /** The patient's links, newest first. */
  list(tenant: string, patient: string): Promise<HealthLink[]>;
  /** False when there is no such active link of that patient. */
  revoke(tenant: string, patient: string, id: string, at: number): Promise<boolean>;
  /** Uses up one passcode attempt; the attempts left after it (0: the link is locked). */
  spendAttempt(id: string): Promise<number>;
  recordAccess(tenant: string, id: string, access: HealthLinkAccess): Promise<void>;
  /** Newest first. */
  accesses(tenant: string, id: string): Promise<HealthLinkAccess[]>;
}

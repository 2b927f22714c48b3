/**
 * What a signed clinical note is, read from the DocumentReference alone (no I/O), so the write
 * rule, the importer and tests agree. The model is in docs/notes.md:
 *
 * - each signature is an entry of the R5 `DocumentReference.attester` carried into R4 by its
 *   cross-version extension (mode `legal` for the signature that makes the note final,
 *   `professional` for a trainee's signature awaiting co-signature), with its time and party;
 * - a note by a resident or student names the supervisor who must co-sign in Heron's
 *   `note-cosigner` extension;
 * - `docStatus` is `final` once legally signed, and `authenticator` is who made it final.
 *
 * A note is locked once it carries any signature, or is `final`/`amended` with an authenticator
 * (a note signed in another system and imported as such).
 */
import type { DocumentReference, Extension, Reference } from '@medplum/fhirtypes';

/** R5 `DocumentReference.attester` in R4 (http://hl7.org/fhir/versions.html#extensions). */
export const ATTESTER_URL = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-DocumentReference.attester';
/** The supervisor who must co-sign a trainee's note. */
export const COSIGNER_URL = 'https://heron.dev/fhir/StructureDefinition/note-cosigner';
export const ATTESTATION_MODE_SYSTEM = 'http://hl7.org/fhir/composition-attestation-mode';

export type AttestationMode = 'legal' | 'professional';

export interface NoteSignature {
  party: Reference;
  time: string;
  mode: AttestationMode | string;
}

/** The signatures a note carries, oldest first. */
export function signaturesOf(doc: DocumentReference): NoteSignature[] {
  return (doc.extension ?? []).filter((e) => e.url === ATTESTER_URL).map((e) => {
    const part = (url: string) => e.extension?.find((x) => x.url === url);
    return {
      party: part('party')?.valueReference ?? {},
      time: part('time')?.valueDateTime ?? '',
      mode: part('mode')?.valueCodeableConcept?.coding?.find((c) => c.system === ATTESTATION_MODE_SYSTEM)?.code ?? '',
    };
  });
}

/** The extension recording one signature. */
export function signatureExtension(signature: NoteSignature): Extension {
  return {
    url: ATTESTER_URL,
    extension: [
      { url: 'mode', valueCodeableConcept: { coding: [{ system: ATTESTATION_MODE_SYSTEM, code: signature.mode }] } },
      { url: 'time', valueDateTime: signature.time },
      { url: 'party', valueReference: signature.party },
    ],
  };
}

/** Who must co-sign this (trainee's) note, if anyone. */
export function cosignerOf(doc: DocumentReference): Reference | undefined {
  return doc.extension?.find((e) => e.url === COSIGNER_URL)?.valueReference;
}

/** Whether the note can no longer change (see the module comment). */
export function isLocked(doc: DocumentReference): boolean {
  if (signaturesOf(doc).length > 0) return true;
  return (doc.docStatus === 'final' || doc.docStatus === 'amended') && doc.authenticator !== undefined;
}

/** Signed by a trainee, waiting for the supervisor's co-signature. */
export function awaitsCosignature(doc: DocumentReference): boolean {
  return doc.docStatus === 'preliminary' && cosignerOf(doc) !== undefined && signaturesOf(doc).some((s) => s.mode === 'professional') && !signaturesOf(doc).some((s) => s.mode === 'legal');
}

/** The note this one is an addendum to, if any. */
export function appendsTo(doc: DocumentReference): string | undefined {
  return doc.relatesTo?.find((r) => r.code === 'appends')?.target?.reference;
}

/** The note without what a signature adds: its signatures, `docStatus`, `authenticator` and `meta`. */
export function contentOf(doc: DocumentReference): unknown {
  const rest: Partial<DocumentReference> = { ...doc };
  delete rest.meta;
  delete rest.docStatus;
  delete rest.authenticator;
  delete rest.extension;
  const kept = (doc.extension ?? []).filter((e) => e.url !== ATTESTER_URL);
  return kept.length > 0 ? { ...rest, extension: kept } : rest;
}

/** "Dr. Dana Whitfield on 5 Dec 2026, 10:04 UTC": who signed last and when, for messages. */
export function lastSignatureText(doc: DocumentReference): string {
  const last = signaturesOf(doc).at(-1);
  if (last === undefined) {
    const who = doc.authenticator?.display ?? doc.authenticator?.reference ?? 'its authenticator';
    return `was signed by ${who}`;
  }
  return `was signed by ${last.party.display ?? last.party.reference ?? 'someone'} on ${instantText(last.time)}`;
}

function instantText(time: string): string {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) return time;
  const d = new Date(ms);
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${d.getUTCDate()} ${month} ${d.getUTCFullYear()}, ${hh}:${mm} UTC`;
}

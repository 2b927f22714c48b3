/**
 * Signed notes (docs/notes.md): a signed clinical note never changes, whoever asks and by
 * whichever route — an addendum amends it. Signing is itself a write of the note (the signature
 * is in the resource), checked here: only an author signs, as themself, now; a resident's or
 * student's signature leaves the note preliminary until the supervisor it names co-signs. Each
 * signature is also recorded as a `Provenance` of the signed version, written here in the same
 * transaction, so no route can sign without one.
 */
import { isDeepStrictEqual } from 'node:util';
import type { DocumentReference, Practitioner, Provenance, Reference } from '@medplum/fhirtypes';
import { newResourceId } from '../../fhir/resource-id.ts';
import { FhirError, issue } from '../../fhir/outcome.ts';
import type { StoreTransaction } from '../../store/store.ts';
import type { Principal, Role } from '../access/principal.ts';
import { systemClock } from '../clock.ts';
import type { Ctx } from '../context.ts';
import { appendsTo, awaitsCosignature, contentOf, cosignerOf, isLocked, lastSignatureText, signaturesOf, type NoteSignature } from '../notes/note-signature.ts';
import type { ProposedWrite, WriteRule } from './write-rules.ts';

/** Roles whose notes need a supervisor's co-signature. */
export const TRAINEE_ROLES: readonly Role[] = ['resident', 'student'];
/** Who may co-sign a trainee's note (as the supervisor it names). */
export const COSIGNING_ROLES: readonly Role[] = ['physician'];
/** How far a signature's stated time may be from the server's clock. */
const SIGNATURE_CLOCK_SKEW_MS = 10 * 60_000;

const SIGNATURE_TYPE_SYSTEM = 'urn:iso-astm:E1762-95:2013';
const AUTHOR_SIGNATURE = '1.2.840.10065.1.12.1.1';
const VERIFICATION_SIGNATURE = '1.2.840.10065.1.12.1.5';
const PARTICIPANT_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';
const PARTICIPATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';

type User = Extract<Principal, { kind: 'user' }>;

// Not context.ts's nowOf: context.ts imports the write rules, so this module stays off its import graph.
const nowOf = (ctx: Ctx): number => (ctx.clock ?? systemClock)();

const refused = (category: 'conflict' | 'forbidden' | 'unprocessable', message: string, expression?: string) =>
  new FhirError(category, [issue(category === 'forbidden' ? 'forbidden' : 'business-rule', message, expression)]);

/** The DocumentReference rule. */
export const signedNoteRule: WriteRule = async (proposed) => {
  const { write, ctx } = proposed;
  const current = await proposed.current();
  const before = current !== undefined && !current.deleted ? (current.resource as DocumentReference) : undefined;
  const after = write.method === 'DELETE' ? undefined : (write.resource as DocumentReference | undefined);
  if (before !== undefined && isLocked(before)) {
    if (after !== undefined && awaitsCosignature(before) && isDeepStrictEqual(contentOf(before), contentOf(after))) {
      return cosign(proposed, before, after);
    }
    throw refused('conflict', `This note ${lastSignatureText(before)}; a signed note cannot be changed${write.method === 'DELETE' ? ' or deleted' : ''}. Add an addendum instead.`);
  }
  if (after === undefined) return;
  const target = appendsTo(after);
  if (target !== undefined) await checkAddendumTarget(proposed.tx, after, target);
  if (!isLocked(after)) return;
  // Notes signed elsewhere (imported, or sent by another system) arrive signed: only a person's
  // signature through Heron is checked and recorded here.
  if (ctx.principal.kind !== 'user') return;
  await sign(proposed, ctx.principal, after, before);
};

/**
 * A Provenance that records a note's signature is written by this rule alone (directly, under the
 * rules) when a person signs; people cannot write one themselves, and once written nobody can
 * change or delete it. Imports and other systems (no person signing here) may bring them.
 */
export const signatureProvenanceRule: WriteRule = async ({ write, current: read, ctx }) => {
  const current = await read();
  const before = current !== undefined && !current.deleted ? (current.resource as Provenance) : undefined;
  if (before !== undefined && isNoteSignature(before)) {
    throw refused('conflict', 'This Provenance records the signature of a note; it cannot be changed or deleted.');
  }
  const after = write.resource as Provenance | undefined;
  if (after !== undefined && isNoteSignature(after) && ctx.principal.kind === 'user') {
    throw refused('forbidden', 'A note signature is recorded by Heron when the note is signed; sign the note instead of writing its Provenance.');
  }
};

function isNoteSignature(p: Provenance): boolean {
  return (p.signature ?? []).some((s) => (s.type ?? []).some((t) => t.system === SIGNATURE_TYPE_SYSTEM)) && (p.target ?? []).some((t) => t.reference?.startsWith('DocumentReference/') === true);
}

async function checkAddendumTarget(tx: StoreTransaction, addendum: DocumentReference, target: string): Promise<void> {
  const match = /^DocumentReference\/([^/]+)$/.exec(target);
  const stored = match ? await tx.readCurrent('DocumentReference', match[1] as string) : undefined;
  const original = stored !== undefined && !stored.deleted ? (stored.resource as DocumentReference) : undefined;
  if (original === undefined) throw refused('unprocessable', `An addendum must append to a note that exists; ${target} does not.`, 'DocumentReference.relatesTo');
  if (!isLocked(original)) throw refused('unprocessable', 'Only a signed note takes an addendum; edit the unsigned note itself.', 'DocumentReference.relatesTo');
  if (original.subject?.reference !== addendum.subject?.reference) {
    throw refused('unprocessable', `An addendum belongs to the same patient as its note (${original.subject?.reference ?? 'none'}).`, 'DocumentReference.subject');
  }
}

/** A person signs an unsigned note (the signature arrives in the written version). */
async function sign(proposed: ProposedWrite, user: User, after: DocumentReference, before: DocumentReference | undefined): Promise<void> {
  const me = signerOf(user);
  const signatures = signaturesOf(after);
  if (signatures.length !== 1) throw refused('unprocessable', 'Sign a note with exactly one signature (an attester entry): yours.', 'DocumentReference.extension');
  const signature = signatures[0] as NoteSignature;
  checkSignature(proposed, signature, me);
  // An author of the note as stored: adding oneself as author in the signing write does not count.
  if (!((before ?? after).author ?? []).some((a) => a.reference === me)) {
    throw refused('forbidden', 'Only an author of the note may sign it.');
  }
  const trainee = TRAINEE_ROLES.includes(user.role);
  if (trainee) {
    const cosigner = cosignerOf(after)?.reference;
    if (after.docStatus === 'final' || after.authenticator !== undefined || signature.mode !== 'professional') {
      throw refused('unprocessable', 'A note by a resident or student is final only when the supervisor co-signs it: sign it as preliminary (mode professional), naming the supervisor.', 'DocumentReference.docStatus');
    }
    if (cosigner === undefined || !/^Practitioner\/[^/]+$/.test(cosigner) || cosigner === me) {
      throw refused('unprocessable', 'Name the supervising physician who will co-sign this note (the note-cosigner extension, a Practitioner other than you).', 'DocumentReference.extension');
    }
  } else if (after.docStatus !== 'final' || after.authenticator?.reference !== me || signature.mode !== 'legal') {
    throw refused('unprocessable', 'Signing makes the note final: docStatus final, authenticator the signer, and a legal attestation.', 'DocumentReference.docStatus');
  }
  await recordProvenance(proposed, signature, trainee ? 'author' : 'author-final');
}

/** The supervisor a trainee's note names co-signs it: the only change a locked note takes. */
async function cosign(proposed: ProposedWrite, before: DocumentReference, after: DocumentReference): Promise<void> {
  const { principal } = proposed.ctx;
  if (principal.kind !== 'user') throw refused('forbidden', `This note ${lastSignatureText(before)} and awaits its supervisor's co-signature; only that person may co-sign it.`);
  const me = signerOf(principal);
  const expected = cosignerOf(before)?.reference;
  if (me !== expected || !COSIGNING_ROLES.includes(principal.role)) {
    throw refused('forbidden', `This note ${lastSignatureText(before)} and awaits the co-signature of ${cosignerOf(before)?.display ?? expected}; only they may co-sign it. Add an addendum instead.`);
  }
  const previous = signaturesOf(before);
  const now = signaturesOf(after);
  if (now.length !== previous.length + 1 || !isDeepStrictEqual(now.slice(0, previous.length), previous)) {
    throw refused('unprocessable', 'Co-sign by adding exactly one signature (yours) and keeping the trainee’s.', 'DocumentReference.extension');
  }
  const signature = now.at(-1) as NoteSignature;
  checkSignature(proposed, signature, me);
  if (signature.mode !== 'legal' || after.docStatus !== 'final' || after.authenticator?.reference !== me) {
    throw refused('unprocessable', 'Co-signing makes the note final: docStatus final, authenticator the co-signer, and a legal attestation.', 'DocumentReference.docStatus');
  }
  await recordProvenance(proposed, signature, 'cosigner');
}

function signerOf(user: User): string {
  if (user.fhirUser === undefined || !/^Practitioner\/[^/]+$/.test(user.fhirUser)) {
    throw refused('forbidden', 'Notes are signed by a practitioner; this account is not linked to one (its fhirUser). Ask a practice administrator to link it.');
  }
  return user.fhirUser;
}

function checkSignature(proposed: ProposedWrite, signature: NoteSignature, me: string): void {
  if (signature.party.reference !== me) throw refused('forbidden', 'A signature must be your own: its party is you.', 'DocumentReference.extension');
  const at = Date.parse(signature.time);
  if (!/T/.test(signature.time) || Number.isNaN(at) || Math.abs(at - nowOf(proposed.ctx)) > SIGNATURE_CLOCK_SKEW_MS) {
    throw refused('unprocessable', 'A signature’s time is when it is made (within 10 minutes of the server’s clock).', 'DocumentReference.extension');
  }
}

/** The Provenance of the version about to be written (the store numbers versions one up). */
async function recordProvenance(proposed: ProposedWrite, signature: NoteSignature, kind: 'author' | 'author-final' | 'cosigner'): Promise<void> {
  const { tx, write } = proposed;
  const current = await proposed.current();
  const version = current === undefined ? 1 : Number(current.versionId) + 1;
  const who: Reference<Practitioner> = { reference: signature.party.reference, ...(signature.party.display ? { display: signature.party.display } : {}) };
  const cosigner = kind === 'cosigner';
  const provenance: Provenance = {
    resourceType: 'Provenance',
    target: [{ reference: `DocumentReference/${write.id}/_history/${version}` }],
    recorded: new Date(nowOf(proposed.ctx)).toISOString(),
    activity: {
      coding: [kind === 'author' ? { system: PARTICIPATION_SYSTEM, code: 'AUT', display: 'author (originator)' } : { system: PARTICIPATION_SYSTEM, code: 'LA', display: 'legal authenticator' }],
    },
    agent: [
      {
        type: { coding: [cosigner ? { system: PARTICIPANT_TYPE_SYSTEM, code: 'attester', display: 'Attester' } : { system: PARTICIPANT_TYPE_SYSTEM, code: 'author', display: 'Author' }] },
        who,
      },
    ],
    signature: [
      {
        type: [cosigner ? { system: SIGNATURE_TYPE_SYSTEM, code: VERIFICATION_SIGNATURE, display: 'Verification Signature' } : { system: SIGNATURE_TYPE_SYSTEM, code: AUTHOR_SIGNATURE, display: "Author's Signature" }],
        when: signature.time,
        who,
      },
    ],
  };
  await tx.writeVersion({ resourceType: 'Provenance', id: newResourceId(), method: 'POST', resource: provenance, expectedVersion: 0 });
}

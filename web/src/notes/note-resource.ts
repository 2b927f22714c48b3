/**
 * A visit note as FHIR: a US Core clinical-note `DocumentReference` (docs/notes.md), built and
 * read here without React. Signing is a new version of the note carrying the signature (the
 * server checks it, locks the note and records a Provenance); a resident's or student's
 * signature leaves it preliminary until the supervisor it names co-signs.
 */
import type { DocumentReference, Encounter, Practitioner, Reference } from '@medplum/fhirtypes';
import { base64ToText, noteMarkdown, parseNote, textToBase64, type NoteSection } from './note-text.ts';

export const ATTESTER_URL = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-DocumentReference.attester';
export const COSIGNER_URL = 'https://heron.dev/fhir/StructureDefinition/note-cosigner';
const MODE_SYSTEM = 'http://hl7.org/fhir/composition-attestation-mode';
export const CLINICAL_NOTE_CATEGORY = { system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category', code: 'clinical-note', display: 'Clinical Note' } as const;
export const PROGRESS_NOTE = { system: 'http://loinc.org', code: '11506-3', display: 'Progress note' } as const;
export const ADDENDUM = { system: 'http://loinc.org', code: '55107-7', display: 'Addendum Document' } as const;

export const TRAINEE_ROLES: readonly string[] = ['resident', 'student'];

export interface NoteContext {
  patientId: string;
  /** `Practitioner/…` of the author. */
  author: Reference<Practitioner>;
  encounter?: string;
  /** `DocumentReference/…` this note is an addendum to. */
  appendsTo?: string;
  title: string;
  now: string;
}

/** A new (preliminary) note. */
export function draftNote(sections: readonly NoteSection[], c: NoteContext): DocumentReference {
  return {
    resourceType: 'DocumentReference',
    status: 'current',
    docStatus: 'preliminary',
    type: { coding: [c.appendsTo ? ADDENDUM : PROGRESS_NOTE], text: c.appendsTo ? 'Addendum' : 'Progress note' },
    category: [{ coding: [CLINICAL_NOTE_CATEGORY] }],
    subject: { reference: `Patient/${c.patientId}` },
    date: c.now,
    author: [c.author],
    description: c.title,
    ...(c.appendsTo ? { relatesTo: [{ code: 'appends', target: { reference: c.appendsTo } }] } : {}),
    content: [{ attachment: { contentType: 'text/markdown', data: textToBase64(noteMarkdown(sections)), title: c.title, creation: c.now } }],
    ...(c.encounter ? { context: { encounter: [{ reference: c.encounter }] } } : {}),
  };
}

/** The note with new text and the resources inserted into it (kept in `context.related`). */
export function withSections(doc: DocumentReference, sections: readonly NoteSection[], related: readonly Reference[] = []): DocumentReference {
  const attachment = { ...(doc.content[0]?.attachment ?? {}), contentType: 'text/markdown', data: textToBase64(noteMarkdown(sections)) };
  const known = new Set((doc.context?.related ?? []).map((r) => r.reference));
  const added = related.filter((r) => !known.has(r.reference));
  const context = added.length > 0 ? { ...(doc.context ?? {}), related: [...(doc.context?.related ?? []), ...added] } : doc.context;
  return { ...doc, content: [{ ...(doc.content[0] ?? {}), attachment }, ...doc.content.slice(1)], ...(context ? { context } : {}) };
}

export function sectionsOf(doc: DocumentReference): NoteSection[] {
  const data = doc.content.find((c) => c.attachment.data !== undefined)?.attachment.data;
  return data === undefined ? [] : parseNote(base64ToText(data));
}

export interface Signature {
  party: Reference;
  time: string;
  mode: string;
}

export function signaturesOf(doc: DocumentReference): Signature[] {
  return (doc.extension ?? []).filter((e) => e.url === ATTESTER_URL).map((e) => {
    const part = (url: string) => e.extension?.find((x) => x.url === url);
    return { party: part('party')?.valueReference ?? {}, time: part('time')?.valueDateTime ?? '', mode: part('mode')?.valueCodeableConcept?.coding?.[0]?.code ?? '' };
  });
}

export function cosignerOf(doc: DocumentReference): Reference | undefined {
  return doc.extension?.find((e) => e.url === COSIGNER_URL)?.valueReference;
}

export type SignState = 'draft' | 'awaiting-cosignature' | 'signed';

/** Where a note stands: a draft anyone with access may edit; awaiting a co-signature; or signed (locked). */
export function signState(doc: DocumentReference): SignState {
  const signatures = signaturesOf(doc);
  if (signatures.some((s) => s.mode === 'legal') || ((doc.docStatus === 'final' || doc.docStatus === 'amended') && doc.authenticator)) return 'signed';
  if (signatures.length > 0) return 'awaiting-cosignature';
  return 'draft';
}

export type SignAction = { kind: 'sign' } | { kind: 'sign-for-cosignature' } | { kind: 'cosign' } | { kind: 'none'; why: string };

/** What this user may do to the note's signature. */
export function signActionFor(doc: DocumentReference, user: { role: string; fhirUser?: string }): SignAction {
  const state = signState(doc);
  if (state === 'signed') return { kind: 'none', why: 'Signed notes cannot change; add an addendum.' };
  if (!user.fhirUser) return { kind: 'none', why: 'Your account is not linked to a practitioner, so it cannot sign notes.' };
  if (state === 'awaiting-cosignature') {
    return cosignerOf(doc)?.reference === user.fhirUser && user.role === 'physician' ? { kind: 'cosign' } : { kind: 'none', why: `Waiting for ${cosignerOf(doc)?.display ?? 'the supervisor'} to co-sign.` };
  }
  if (!(doc.author ?? []).some((a) => a.reference === user.fhirUser)) return { kind: 'none', why: 'Only the note’s author can sign it.' };
  return TRAINEE_ROLES.includes(user.role) ? { kind: 'sign-for-cosignature' } : { kind: 'sign' };
}

function signatureExtension(s: Signature) {
  return {
    url: ATTESTER_URL,
    extension: [
      { url: 'mode', valueCodeableConcept: { coding: [{ system: MODE_SYSTEM, code: s.mode }] } },
      { url: 'time', valueDateTime: s.time },
      { url: 'party', valueReference: s.party },
    ],
  };
}

/** The signed version to send (PUT with If-Match): final (or, for a trainee, preliminary naming the supervisor). */
export function signedNote(doc: DocumentReference, signer: Reference<Practitioner>, now: string, action: 'sign' | 'cosign' | { supervisor: Reference<Practitioner> }): DocumentReference {
  const trainee = typeof action === 'object';
  const others = (doc.extension ?? []).filter((e) => !(trainee && e.url === COSIGNER_URL));
  const extension = [...others, ...(trainee ? [{ url: COSIGNER_URL, valueReference: action.supervisor }] : []), signatureExtension({ party: signer, time: now, mode: trainee ? 'professional' : 'legal' })];
  if (trainee) return { ...doc, extension };
  return { ...doc, docStatus: 'final', authenticator: signer, extension };
}

/** An in-progress visit today, if any: the note is written for it. */
export function visitToday(encounters: readonly Encounter[], now: Date): Encounter | undefined {
  const today = localDate(now);
  return encounters.find((e) => e.status === 'in-progress' && e.period?.start !== undefined && localDate(new Date(e.period.start)) === today);
}

/** A new in-progress ambulatory visit starting now. */
export function newVisit(patientId: string, practitioner: Reference<Practitioner>, now: string): Encounter {
  return {
    resourceType: 'Encounter',
    status: 'in-progress',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
    type: [{ coding: [{ system: 'http://snomed.info/sct', code: '185349003', display: 'Encounter for check up' }], text: 'Office visit' }],
    subject: { reference: `Patient/${patientId}` },
    participant: [{ individual: practitioner }],
    period: { start: now },
  };
}

function localDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

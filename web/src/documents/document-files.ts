/**
 * Which files a chart accepts as documents, checked in the browser before anything is sent: the
 * server checks the same (type allow-list, size limit, bytes of the declared type; see the
 * CapabilityStatement's Binary entry) and has the last word, but a clinician should hear "this
 * is not a PDF" at once rather than after a 20 MB upload. The type is read from the file's first
 * bytes, not from its name or what the operating system says.
 */
import type { Attachment, Binary, CodeableConcept, DocumentReference } from '@medplum/fhirtypes';

export interface AcceptedType {
  contentType: string;
  label: string;
  extensions: readonly string[];
  /** Whether the bytes start like this type. */
  sniff: (head: Uint8Array) => boolean;
}

const startsWith = (head: Uint8Array, bytes: readonly number[], at = 0) => bytes.every((b, i) => head[at + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** What the browser can show inline (HEIC, accepted by the server, cannot be shown by most browsers). */
export const ACCEPTED_TYPES: readonly AcceptedType[] = [
  { contentType: 'application/pdf', label: 'PDF', extensions: ['.pdf'], sniff: (h) => startsWith(h, ascii('%PDF-')) },
  { contentType: 'image/png', label: 'PNG', extensions: ['.png'], sniff: (h) => startsWith(h, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { contentType: 'image/jpeg', label: 'JPEG', extensions: ['.jpg', '.jpeg'], sniff: (h) => startsWith(h, [0xff, 0xd8, 0xff]) },
  { contentType: 'image/webp', label: 'WebP', extensions: ['.webp'], sniff: (h) => startsWith(h, ascii('RIFF')) && startsWith(h, ascii('WEBP'), 8) },
];

/** For the file picker's `accept`. */
export const ACCEPT_ATTRIBUTE = ACCEPTED_TYPES.flatMap((t) => [t.contentType, ...t.extensions]).join(',');

/** "PDF, PNG, JPEG or WebP, up to 20 MB": shown beside the upload. */
export function limitsText(maxBytes: number): string {
  const labels = ACCEPTED_TYPES.map((t) => t.label);
  return `${labels.slice(0, -1).join(', ')} or ${labels.at(-1)}, up to ${sizeText(maxBytes)}`;
}

export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / 1024 / 1024).toFixed(1))} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

export type FileCheck = { ok: true; type: AcceptedType } | { ok: false; message: string };

/** Whether a file may be uploaded, from its name, size and first bytes (12 are enough). */
export function checkDocumentFile(file: { name: string; size: number }, head: Uint8Array, maxBytes: number): FileCheck {
  if (file.size === 0) return { ok: false, message: `“${file.name}” is empty.` };
  if (file.size > maxBytes) return { ok: false, message: `“${file.name}” is ${sizeText(file.size)}; files can be up to ${sizeText(maxBytes)}. Scan at a lower resolution or split it.` };
  const type = ACCEPTED_TYPES.find((t) => t.sniff(head));
  if (!type) return { ok: false, message: `“${file.name}” is not a PDF, PNG, JPEG or WebP file. Save or scan it as PDF or as a picture, then try again.` };
  return { ok: true, type };
}

/** LOINC document kinds offered for an upload (what a clinician files from outside). */
export const DOCUMENT_KINDS: readonly { id: string; label: string }[] = [
  { id: '11488-4', label: 'Consult note or referral letter' },
  { id: '18842-5', label: 'Discharge summary' },
  { id: '11502-2', label: 'Laboratory report' },
  { id: '18748-4', label: 'Imaging report' },
  { id: '59284-0', label: 'Consent' },
  { id: '64290-0', label: 'Insurance card or ID' },
  { id: '34133-9', label: 'Outside records' },
];

export function documentKind(code: string): CodeableConcept {
  const kind = DOCUMENT_KINDS.find((k) => k.id === code)!;
  return { coding: [{ system: 'http://loinc.org', code: kind.id, display: kind.label }], text: kind.label };
}

export interface DocumentDetails {
  patientId: string;
  binaryId: string;
  contentType: string;
  fileName: string;
  size: number;
  kind: string;
  description: string;
  author?: NonNullable<DocumentReference['author']>[number];
  now: Date;
}

/** The DocumentReference that files the Binary in the chart. */
export function documentReferenceFor(d: DocumentDetails): DocumentReference {
  const attachment: Attachment = { contentType: d.contentType, url: `Binary/${d.binaryId}`, title: d.fileName, size: d.size, creation: d.now.toISOString() };
  const doc: DocumentReference = {
    resourceType: 'DocumentReference',
    status: 'current',
    docStatus: 'final',
    type: documentKind(d.kind),
    subject: { reference: `Patient/${d.patientId}` },
    date: d.now.toISOString(),
    content: [{ attachment }],
  };
  if (d.description.trim() !== '') doc.description = d.description.trim();
  if (d.author) doc.author = [d.author];
  return doc;
}

/** The Binary id a DocumentReference's file is at (`Binary/123` or a full URL ending so). */
export function binaryIdOf(doc: DocumentReference): string | undefined {
  const url = doc.content?.[0]?.attachment?.url;
  return url?.match(/(?:^|\/)Binary\/([A-Za-z0-9\-.]{1,64})$/)?.[1];
}

export function fromBase64(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

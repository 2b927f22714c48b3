/**
 * Secure messages between a patient (or a full proxy) and the care team as FHIR R4
 * Communications (docs/portal.md#messages), shared by the portal's Messages and the clinician's
 * inbox. Pure: no React, no requests.
 *
 * A **thread** is the chain of `inResponseTo`: the first message answers nothing, every later one
 * answers the message before it (R4's one element for "this communication is a response to that
 * one"). `partOf` is for the event a communication is part of (a procedure, an encounter), not for
 * conversations, so it is not used. Every message of a thread repeats the first one's subject in
 * `topic.text`, so a single message (in the inbox) says what it is about.
 */
import type { Attachment, Communication, Reference } from '@medplum/fhirtypes';

export interface Thread {
  /** The first message's id: the thread's address (`/portal/messages/<id>`). */
  id: string;
  subject: string;
  /** Oldest first. */
  messages: Communication[];
  last: Communication;
}

export const NO_SUBJECT = 'Message';

/** Whether a message was written on the patient's side (the patient or a proxy), not by the care team. */
export function fromPatientSide(message: Communication): boolean {
  const type = message.sender?.reference?.split('/')[0];
  return type === 'Patient' || type === 'RelatedPerson';
}

export function messageText(message: Communication): string {
  return (message.payload ?? []).flatMap((p) => (p.contentString ? [p.contentString] : [])).join('\n\n');
}

export function attachmentsOf(message: Communication): Attachment[] {
  return (message.payload ?? []).flatMap((p) => (p.contentAttachment ? [p.contentAttachment] : []));
}

/** The Binary id an attachment's `url` names (`Binary/123`), if it is one of this server's. */
export function binaryIdOf(attachment: Attachment): string | undefined {
  const m = /^Binary\/([A-Za-z0-9\-.]{1,64})$/.exec(attachment.url ?? '');
  return m?.[1];
}

const sentOf = (m: Communication) => m.sent ?? m.meta?.lastUpdated ?? '';

/**
 * The threads among `messages` (any order, of one patient), newest activity first. A message whose
 * earlier message is not among them (not loaded, or not visible) starts a thread of its own.
 */
export function threadsOf(messages: readonly Communication[]): Thread[] {
  const byId = new Map(messages.filter((m) => m.id).map((m) => [m.id!, m]));
  const rootOf = (m: Communication): Communication => {
    const seen = new Set<string>();
    let at = m;
    for (;;) {
      const earlier = at.inResponseTo?.[0]?.reference?.replace(/^Communication\//, '');
      const next = earlier === undefined ? undefined : byId.get(earlier);
      if (next === undefined || seen.has(next.id!)) return at;
      seen.add(at.id!);
      at = next;
    }
  };
  const groups = new Map<string, Communication[]>();
  for (const m of byId.values()) {
    const root = rootOf(m).id!;
    groups.set(root, [...(groups.get(root) ?? []), m]);
  }
  const threads = [...groups.entries()].map(([id, list]) => {
    const sorted = list.sort((a, b) => sentOf(a).localeCompare(sentOf(b)));
    const first = byId.get(id)!;
    return { id, subject: first.topic?.text?.trim() || sorted.find((m) => m.topic?.text)?.topic?.text || NO_SUBJECT, messages: sorted, last: sorted.at(-1)! };
  });
  return threads.sort((a, b) => sentOf(b.last).localeCompare(sentOf(a.last)));
}

/** The thread `message` belongs to, among `messages`. */
export function threadOf(messages: readonly Communication[], message: Communication): Thread | undefined {
  return threadsOf(messages.some((m) => m.id === message.id) ? messages : [...messages, message]).find((t) => t.messages.some((m) => m.id === message.id));
}

/**
 * Whether the patient has not seen the thread's latest news: its last message is from the care
 * team and came after `seenAt` (when this person last opened the thread in this browser).
 */
export function isUnread(thread: Thread, seenAt: string | undefined): boolean {
  return !fromPatientSide(thread.last) && (seenAt === undefined || sentOf(thread.last) > seenAt);
}

/** What the server's rule lets a patient address (docs/portal.md#what-patients-and-proxies-write). */
const CARE_TEAM_TYPES = ['Practitioner', 'PractitionerRole', 'CareTeam', 'Organization'];

export function isCareTeam(reference: Reference | undefined): boolean {
  return CARE_TEAM_TYPES.includes(reference?.reference?.split('/')[0] ?? '');
}

export interface Outgoing {
  patientId: string;
  /** The signed-in person: `Patient/…` or `RelatedPerson/…`. */
  sender: string;
  text: string;
  attachments: readonly Attachment[];
  at: string;
}

function payload(text: string, attachments: readonly Attachment[]): NonNullable<Communication['payload']> {
  return [...(text.trim() ? [{ contentString: text.trim() }] : []), ...attachments.map((a) => ({ contentAttachment: a }))];
}

/**
 * A new message from the patient's side to the care team: `in-progress` until someone answers it
 * (so it waits in their inbox), to `recipients` (the patient's named care team).
 */
export function newMessage(o: Outgoing & { subject: string; recipients: readonly Reference[] }): Communication {
  return {
    resourceType: 'Communication',
    status: 'in-progress',
    subject: { reference: `Patient/${o.patientId}` },
    sender: { reference: o.sender },
    recipient: o.recipients.map((r) => ({ reference: r.reference! })),
    sent: o.at,
    topic: { text: o.subject.trim() },
    payload: payload(o.text, o.attachments),
  };
}

/**
 * The patient's answer in `thread`: to whoever of the care team last wrote in it (else whom the
 * thread was first sent to), answering its last message, on its subject.
 */
export function patientReply(thread: Thread, o: Outgoing): Communication {
  const lastCare = [...thread.messages].reverse().find((m) => !fromPatientSide(m) && isCareTeam(m.sender));
  const recipients = lastCare ? [lastCare.sender!] : (thread.messages[0]!.recipient ?? []).filter(isCareTeam);
  return {
    resourceType: 'Communication',
    status: 'in-progress',
    subject: { reference: `Patient/${o.patientId}` },
    sender: { reference: o.sender },
    recipient: recipients.map((r) => ({ reference: r.reference! })),
    inResponseTo: [{ reference: `Communication/${thread.last.id}` }],
    sent: o.at,
    topic: { text: thread.subject },
    payload: payload(o.text, o.attachments),
  };
}

export interface AttachmentLimits {
  maxMegabytes: number;
  types: readonly string[];
}

/** Types a patient may attach, by their first bytes (what the server checks too), with a word for each. */
const SNIFFED: readonly { contentType: string; label: string; sniff: (h: Uint8Array) => boolean }[] = [
  { contentType: 'application/pdf', label: 'PDF', sniff: (h) => startsWith(h, ascii('%PDF-')) },
  { contentType: 'image/png', label: 'PNG picture', sniff: (h) => startsWith(h, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { contentType: 'image/jpeg', label: 'JPEG picture', sniff: (h) => startsWith(h, [0xff, 0xd8, 0xff]) },
  { contentType: 'image/webp', label: 'WebP picture', sniff: (h) => startsWith(h, ascii('RIFF')) && startsWith(h, ascii('WEBP'), 8) },
  { contentType: 'image/heic', label: 'HEIC picture', sniff: (h) => startsWith(h, ascii('ftyp'), 4) && ['heic', 'heix', 'mif1', 'msf1', 'heif'].some((b) => startsWith(h, ascii(b), 8)) },
];
const startsWith = (head: Uint8Array, bytes: readonly number[], at = 0) => bytes.every((b, i) => head[at + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

export function typeLabel(contentType: string): string {
  return contentType === 'text/plain' ? 'text file' : (SNIFFED.find((t) => t.contentType === contentType)?.label ?? contentType);
}

/** "PDF or PNG picture, up to 10 MB each": said beside the attach button. */
export function limitsSentence(limits: AttachmentLimits): string {
  const labels = limits.types.map(typeLabel);
  const list = labels.length > 1 ? `${labels.slice(0, -1).join(', ')} or ${labels.at(-1)}` : (labels[0] ?? 'no files');
  return `${list}, up to ${limits.maxMegabytes} MB each`;
}

export type AttachmentCheck = { ok: true; contentType: string } | { ok: false; message: string };

/**
 * Whether a file may be attached under the practice's limits, from its size and first 16 bytes
 * (its real type, not its name): said before anything is uploaded. The server checks the same.
 */
export function checkAttachment(file: { name: string; size: number; type: string }, head: Uint8Array, limits: AttachmentLimits): AttachmentCheck {
  if (file.size === 0) return { ok: false, message: `“${file.name}” is empty.` };
  if (file.size > limits.maxMegabytes * 1024 * 1024) return { ok: false, message: `“${file.name}” is too large. Files can be up to ${limits.maxMegabytes} MB.` };
  const sniffed = SNIFFED.find((t) => t.sniff(head))?.contentType;
  // Plain text has no signature: trusted by its declared type when it holds no NUL bytes.
  const contentType = sniffed ?? (file.type === 'text/plain' && !head.includes(0) ? 'text/plain' : undefined);
  if (contentType === undefined || !limits.types.includes(contentType)) return { ok: false, message: `“${file.name}” cannot be sent. You can attach: ${limitsSentence(limits)}.` };
  return { ok: true, contentType };
}

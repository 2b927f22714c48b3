/**
 * A thread's messages, oldest first, each with who wrote it, when, its text and its files: the
 * same view for the patient (the portal's thread) and the clinician (the inbox's Reply…). A file is
 * fetched only when asked for, and shown from bytes checked to be what they claim (a picture
 * inline, a PDF or other file to open or save).
 */
import type { Attachment, Binary, Communication, Patient, Practitioner, RelatedPerson, Resource } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Button } from '../../design/index.ts';
import { checkDocumentFile, fromBase64, sizeText } from '../../documents/document-files.ts';
import { dateText } from '../../fhir-format/values.ts';
import { givenFirst } from '../../fhir-format/patient.ts';
import { errorMessage } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { useSearch } from '../../fhir/queries.ts';
import { attachmentsOf, binaryIdOf, fromPatientSide, messageText, threadOf, typeLabel } from '../../messages/threads.ts';
import { useBlobUrl } from '../print/use-blob-url.ts';
import './messages.css';

export interface ThreadMessagesProps {
  messages: readonly Communication[];
  /** Senders and patients by `Type/id` (a search's `_include`s), for their names. */
  people: ReadonlyMap<string, Resource>;
  /** The signed-in person's `fhirUser`: their messages say "You". */
  me?: string;
  /** Whose side is "ours" (drawn on the right): the patient's in the portal, the care team's in the inbox. */
  ownSide: 'patient' | 'care-team';
}

export function ThreadMessages({ messages, people, me, ownSide }: ThreadMessagesProps) {
  return (
    <ol className="thread" aria-label="Messages in this conversation">
      {messages.map((m) => {
        const ours = fromPatientSide(m) === (ownSide === 'patient');
        const who = m.sender?.reference === me ? 'You' : senderName(m, people);
        const files = attachmentsOf(m);
        return (
          <li key={m.id} className="thread-message" data-side={ours ? 'own' : 'other'}>
            <p className="thread-meta">
              <strong>{who}</strong> <span className="thread-when">{dateText(m.sent, true)}</span>
            </p>
            {messageText(m) && <p className="thread-text">{messageText(m)}</p>}
            {files.length > 0 && (
              <ul className="thread-files" aria-label="Attached files">
                {files.map((f, i) => (
                  <li key={f.url ?? i}>
                    <AttachedFile attachment={f} />
                  </li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
    </ol>
  );
}

function senderName(m: Communication, people: ReadonlyMap<string, Resource>): string {
  const ref = m.sender?.reference;
  const person = ref === undefined ? undefined : (people.get(ref) as Practitioner | Patient | RelatedPerson | undefined);
  const name = person && 'name' in person ? givenFirst(person.name as Practitioner['name']) : '';
  if (name) return name;
  return fromPatientSide(m) ? 'Patient' : 'Care team';
}

function AttachedFile({ attachment }: { attachment: Attachment }) {
  const fhir = useFhir();
  const [open, setOpen] = useState(false);
  const binaryId = binaryIdOf(attachment);
  const title = attachment.title || 'Attached file';
  const file = useQuery({
    queryKey: ['fhir', 'Binary', 'read', binaryId],
    enabled: open && binaryId !== undefined,
    staleTime: Infinity,
    queryFn: async ({ signal }) => {
      const binary = await fhir.read<Binary>('Binary', binaryId!, signal);
      const bytes = fromBase64(binary.data ?? '');
      const check = checkDocumentFile({ name: title, size: bytes.length }, bytes.subarray(0, 16), Infinity);
      // A file the browser cannot show safely is offered to save, never given a type it would run.
      return { blob: new Blob([bytes], { type: check.ok ? check.type.contentType : 'application/octet-stream' }), picture: check.ok && check.type.contentType.startsWith('image/') };
    },
  });
  const url = useBlobUrl(file.data?.blob);
  const facts = [attachment.contentType && typeLabel(attachment.contentType), attachment.size !== undefined && sizeText(attachment.size)].filter(Boolean).join(', ');
  if (binaryId === undefined) return <span>{title} (not stored here)</span>;
  return (
    <div className="thread-file">
      {!open ? (
        <Button size="sm" onPress={() => setOpen(true)} aria-label={`Show ${title}`}>
          {title}
          {facts && <span className="thread-file-facts"> ({facts})</span>}
        </Button>
      ) : file.isPending ? (
        <span role="status">Loading {title}…</span>
      ) : file.isError ? (
        <span role="alert">Could not load {title}: {errorMessage(file.error)}</span>
      ) : url && file.data.picture ? (
        <a href={url} download={title} className="thread-picture">
          <img src={url} alt={title} />
        </a>
      ) : url ? (
        <a href={url} download={title} target="_blank" rel="noreferrer">
          Open {title}
        </a>
      ) : null}
    </div>
  );
}

/** Enough of a patient's messages to find a thread in; older ones are not shown. */
const PATIENT_MESSAGES_READ = 100;

/**
 * The conversation `message` is part of, for the care team (the inbox's Reply…): the patient's
 * messages are searched and the thread is followed through `inResponseTo`. Until it loads (or if
 * it cannot be), the message alone.
 */
export function ConversationOf({ message, me }: { message: Communication; me?: string }) {
  const subject = message.subject?.reference;
  const search = useSearch<Communication>('Communication', { subject, _sort: '-sent', _count: PATIENT_MESSAGES_READ, _include: 'Communication:sender' }, { enabled: subject !== undefined });
  const { messages, people } = useMemo(() => {
    const entries = search.data?.entry ?? [];
    const people = new Map<string, Resource>();
    for (const e of entries) if (e.resource?.id) people.set(`${e.resource.resourceType}/${e.resource.id}`, e.resource);
    const all = entries.filter((e) => e.search?.mode !== 'include' && e.resource?.resourceType === 'Communication').map((e) => e.resource as Communication);
    return { messages: threadOf(all, message)?.messages ?? [message], people };
  }, [search.data, message]);
  return (
    <div className="conversation">
      {search.isError && <p className="muted">The earlier messages could not be loaded ({errorMessage(search.error)}).</p>}
      <ThreadMessages messages={messages} people={people} {...(me ? { me } : {})} ownSide="care-team" />
    </div>
  );
}

/**
 * Writing a message from the portal — a new one (subject, text, files) or an answer in a thread —
 * and sending it: each file is checked against the practice's limits when chosen, uploaded as a
 * Binary of the record, then the Communication is made. What is typed is kept as a draft in this
 * browser until it is sent; a failed send keeps it and the chosen files, and files already uploaded
 * are not uploaded again on the next try.
 */
import type { Attachment, Communication } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { FileTrigger } from 'react-aria-components';
import { Button, ErrorState } from '../../../design/index.ts';
import { sizeText } from '../../../documents/document-files.ts';
import { errorAdvice, errorMessage } from '../../../fhir/fhir-client.ts';
import { useFhir } from '../../../fhir/fhir-context.tsx';
import { checkAttachment, limitsSentence, typeLabel, type AttachmentLimits } from '../../../messages/threads.ts';

export interface Chosen {
  file: File;
  contentType: string;
}

/** Chosen files, each checked as it is picked; refusals said at once, by name. */
export function AttachmentPicker({ chosen, onChange, limits, idPrefix }: { chosen: readonly Chosen[]; onChange: (files: Chosen[]) => void; limits: AttachmentLimits; idPrefix: string }) {
  const [refusals, setRefusals] = useState<string[]>([]);
  const limitsId = `${idPrefix}-limits`;
  const pick = async (files: FileList | null) => {
    const added: Chosen[] = [];
    const refused: string[] = [];
    for (const file of Array.from(files ?? [])) {
      const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
      const check = checkAttachment(file, head, limits);
      if (check.ok) added.push({ file, contentType: check.contentType });
      else refused.push(check.message);
    }
    setRefusals(refused);
    onChange([...chosen, ...added]);
  };
  return (
    <div className="message-files">
      <div className="message-attach">
        <FileTrigger allowsMultiple acceptedFileTypes={[...limits.types]} onSelect={(files) => void pick(files)}>
          <Button aria-describedby={limitsId} isDisabled={limits.types.length === 0}>
            Attach a file…
          </Button>
        </FileTrigger>
        <span className="message-limits" id={limitsId}>
          {limitsSentence(limits)}
        </span>
      </div>
      {refusals.map((r) => (
        <p key={r} className="message-refusal" role="alert">
          {r}
        </p>
      ))}
      {chosen.length > 0 && (
        <ul className="message-chosen" aria-label="Files to send">
          {chosen.map((c, i) => (
            <li key={`${c.file.name}-${i}`}>
              <span>
                {c.file.name} <span className="thread-file-facts">({typeLabel(c.contentType)}, {sizeText(c.file.size)})</span>
              </span>
              <Button size="sm" variant="quiet" aria-label={`Remove ${c.file.name}`} onPress={() => onChange(chosen.filter((_, j) => j !== i))}>
                Remove
              </Button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * Sends a message made by `build` from the uploaded files' attachments. Uploads each file once (a
 * retry after a failed send reuses what was already stored).
 */
export function useSendMessage(patientId: string, onSent: (sent: Communication) => void) {
  const fhir = useFhir();
  const queryClient = useQueryClient();
  const uploaded = useRef(new Map<File, Attachment>());
  return useMutation({
    mutationFn: async ({ files, build }: { files: readonly Chosen[]; build: (attachments: Attachment[]) => Communication }) => {
      const attachments: Attachment[] = [];
      for (const { file, contentType } of files) {
        let attachment = uploaded.current.get(file);
        if (attachment === undefined) {
          const binary = await fhir.uploadBinary(file, contentType, `Patient/${patientId}`);
          attachment = { url: `Binary/${binary.id}`, contentType, title: file.name, size: file.size, creation: new Date().toISOString() };
          uploaded.current.set(file, attachment);
        }
        attachments.push(attachment);
      }
      return fhir.create<Communication>(build(attachments));
    },
    onSuccess: (sent) => {
      uploaded.current.clear();
      void queryClient.invalidateQueries({ queryKey: ['fhir', 'Communication'] });
      onSent(sent);
    },
  });
}

export function SendError({ error }: { error: unknown }) {
  return <ErrorState title="Your message was not sent" message={errorMessage(error)} advice={`${errorAdvice(error)} What you wrote and the files you chose are still here.`} />;
}

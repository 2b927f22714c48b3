import type { Binary, DocumentReference, Practitioner } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FileTrigger } from 'react-aria-components';
import { useLocation, useParams, useSearchParams } from 'react-router';
import { useAuth, useUser } from '../../auth/auth-context.tsx';
import { Button, DataTable, EmptyState, ErrorState, LoadingSkeleton, Panel, Select, TextField, type DataColumn } from '../../design/index.ts';
import {
  binaryIdOf,
  checkDocumentFile,
  documentReferenceFor,
  DOCUMENT_KINDS,
  fromBase64,
  limitsText,
  sizeText,
  ACCEPT_ATTRIBUTE,
  type AcceptedType,
} from '../../documents/document-files.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { included, matches, useSearch } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { givenFirst } from '../../fhir-format/patient.ts';
import { conceptText, dateText } from '../../fhir-format/values.ts';
import { ChartScreenHeader } from '../chart/chart-screen-header.tsx';
import { CLINICAL_NOTES } from '../notes/note-queries.ts';
import { useBlobUrl } from '../print/use-blob-url.ts';
import './documents.css';

interface Picked {
  file: File;
  type: AcceptedType;
}

/**
 * `/patients/:patientId/documents`: files in the chart (letters, reports, scanned cards) — upload
 * a PDF or picture (checked here before sending, and by the server), the list with type, date,
 * author and description, and the chosen one shown inline.
 */
export function DocumentsScreen() {
  const { patientId } = useParams() as { patientId: string };
  return <DocumentsBody patientId={patientId} />;
}

function DocumentsBody({ patientId }: { patientId: string }) {
  const [params] = useSearchParams();
  const { hash } = useLocation();
  // `?doc=` from this list; `#id` from the chart at a glance.
  const selected = params.get('doc') ?? (hash.slice(1) || null);
  // Visit notes have their own screen (notes/); this one lists filed files.
  const documents = useSearch<DocumentReference>('DocumentReference', { patient: patientId, 'category:not': CLINICAL_NOTES, _sort: '-date', _count: 100, _include: 'DocumentReference:author' });
  const authors = included<Practitioner>(documents.data, 'Practitioner');
  const authorOf = (d: DocumentReference) => {
    const a = d.author?.[0];
    if (!a) return '';
    const p = a.reference ? authors.get(a.reference) : undefined;
    return p ? givenFirst(p.name) : (a.display ?? '');
  };
  const columns: DataColumn<DocumentReference>[] = [
    { id: 'date', header: 'Date', cell: (d) => dateText(d.date ?? d.content[0]?.attachment.creation) || '—' },
    { id: 'type', header: 'Type', isRowHeader: true, cell: (d) => conceptText(d.type) || 'Document' },
    { id: 'description', header: 'Description', cell: (d) => d.description ?? d.content[0]?.attachment.title ?? '' },
    { id: 'author', header: 'Author', cell: authorOf },
    { id: 'file', header: 'File', cell: (d) => fileText(d) },
  ];
  const list = matches(documents.data);
  const shown = list.find((d) => d.id === selected) ?? (selected ? undefined : list[0]);

  return (
    <div className="screen documents">
      <ChartScreenHeader title="Documents" />
      <div className="documents-grid">
        <div className="documents-side">
          <Panel title="In the chart" flush>
            <QueryView
              query={documents}
              what="documents"
              isEmpty={(b) => matches(b).length === 0}
              empty={<EmptyState title="No documents in this chart yet.">Upload a letter, report or scanned card below.</EmptyState>}
              skeletonLines={5}
            >
              {() => <DataTable label="Documents, newest first" columns={columns} rows={list} rowKey={(d) => d.id!} rowHref={(d) => `/patients/${patientId}/documents?doc=${d.id!}`} />}
            </QueryView>
          </Panel>
          <UploadPanel patientId={patientId} />
        </div>
        <Panel title={shown ? `${conceptText(shown.type) || 'Document'}${shown.description ? `: ${shown.description}` : ''}` : 'Viewer'}>
          {shown ? (
            <DocumentViewer doc={shown} author={authorOf(shown)} />
          ) : documents.isPending ? (
            <LoadingSkeleton lines={4} label="Loading documents" />
          ) : (
            <EmptyState title={selected ? 'This document is not in this chart.' : 'Nothing to show yet.'}>Choose a document in the list.</EmptyState>
          )}
        </Panel>
      </div>
    </div>
  );
}

function fileText(d: DocumentReference): string {
  const a = d.content[0]?.attachment;
  const type = a?.contentType === 'application/pdf' ? 'PDF' : a?.contentType?.startsWith('image/') ? 'Image' : (a?.contentType ?? '');
  return [type, a?.size !== undefined ? sizeText(a.size) : ''].filter(Boolean).join(', ');
}

function UploadPanel({ patientId }: { patientId: string }) {
  const maxBytes = useAuth().config.maxBinaryBytes;
  const fhir = useFhir();
  const user = useUser();
  const queryClient = useQueryClient();
  const [picked, setPicked] = useState<Picked | undefined>();
  const [refusal, setRefusal] = useState<string | undefined>();
  const [kind, setKind] = useState(DOCUMENT_KINDS[0]!.id);
  const [description, setDescription] = useState('');

  const pick = async (files: FileList | null) => {
    const file = files?.[0];
    setPicked(undefined);
    setRefusal(undefined);
    if (!file) return;
    const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
    const check = checkDocumentFile(file, head, maxBytes);
    if (check.ok) setPicked({ file, type: check.type });
    else setRefusal(check.message);
  };

  const upload = useMutation({
    // The patient is the one this screen was opened for, fixed in the closure (never a global).
    mutationFn: async ({ file, type }: Picked) => {
      const binary = await fhir.uploadBinary(file, type.contentType, `Patient/${patientId}`);
      const author = user.fhirUser?.startsWith('Practitioner/') ? { reference: user.fhirUser } : undefined;
      return fhir.create<DocumentReference>(
        documentReferenceFor({ patientId, binaryId: binary.id!, contentType: type.contentType, fileName: file.name, size: file.size, kind, description, now: new Date(), ...(author ? { author } : {}) }),
      );
    },
    onSuccess: () => {
      setPicked(undefined);
      setDescription('');
      void queryClient.invalidateQueries({ queryKey: ['fhir', 'DocumentReference'] });
    },
  });

  return (
    <Panel title="Upload a document">
      <div className="upload">
        <p className="upload-limits" id="upload-limits">
          {limitsText(maxBytes)}. The file is checked before it is sent.
        </p>
        <div className="upload-pick">
          <FileTrigger acceptedFileTypes={ACCEPT_ATTRIBUTE.split(',')} onSelect={(files) => void pick(files)}>
            <Button aria-describedby="upload-limits">Choose a file…</Button>
          </FileTrigger>
          <span className="upload-file" aria-live="polite">
            {picked ? `${picked.file.name} (${picked.type.label}, ${sizeText(picked.file.size)})` : 'No file chosen'}
          </span>
        </div>
        {refusal && (
          <p className="upload-refusal" role="alert">
            {refusal}
          </p>
        )}
        <div className="upload-fields">
          <Select label="Type" options={DOCUMENT_KINDS} selectedKey={kind} onSelectionChange={setKind} />
          <TextField label="Description" value={description} onChange={setDescription} placeholder="e.g. Cardiology letter, Dr Osei" />
        </div>
        <Button variant="primary" isDisabled={!picked || upload.isPending} onPress={() => picked && upload.mutate(picked)}>
          {upload.isPending ? 'Uploading…' : 'Upload to the chart'}
        </Button>
        {upload.isError && <ErrorState title="The upload failed" message={errorMessage(upload.error)} advice={errorAdvice(upload.error)} />}
        {upload.isSuccess && !picked && (
          <p className="upload-done" role="status">
            Uploaded.
          </p>
        )}
      </div>
    </Panel>
  );
}

/**
 * The file, shown inline from a blob URL made here: a PDF in the browser's viewer, a picture as an
 * image. The blob's type is set only from bytes that are what they claim (a file that turned out
 * to be HTML is never given a type a browser would run).
 */
function DocumentViewer({ doc, author }: { doc: DocumentReference; author: string }) {
  const fhir = useFhir();
  const binaryId = binaryIdOf(doc);
  const file = useQuery({
    queryKey: ['fhir', 'Binary', 'read', binaryId],
    enabled: binaryId !== undefined,
    staleTime: Infinity,
    queryFn: async ({ signal }) => {
      const binary = await fhir.read<Binary>('Binary', binaryId!, signal);
      const bytes = fromBase64(binary.data ?? '');
      const check = checkDocumentFile({ name: doc.content[0]?.attachment.title ?? 'The file', size: bytes.length }, bytes.subarray(0, 16), Infinity);
      if (!check.ok) throw new Error(check.message);
      return { blob: new Blob([bytes], { type: check.type.contentType }), type: check.type };
    },
  });
  const url = useBlobUrl(file.data?.blob);
  const title = doc.content[0]?.attachment.title ?? conceptText(doc.type);
  return (
    <div className="viewer">
      <p className="viewer-facts muted">
        {[dateText(doc.date, true), author && `by ${author}`, doc.content[0]?.attachment.title, fileText(doc)].filter(Boolean).join(' · ')}
      </p>
      {binaryId === undefined ? (
        <EmptyState title="This document has no file stored in Heron." />
      ) : file.isPending ? (
        <LoadingSkeleton lines={6} label="Loading the file" />
      ) : file.isError ? (
        <ErrorState title="Could not show the file" message={errorMessage(file.error)} advice={errorAdvice(file.error)} onRetry={() => void file.refetch()} />
      ) : url && file.data.type.contentType === 'application/pdf' ? (
        <iframe className="viewer-pdf" src={url} title={`PDF: ${title}`} />
      ) : url ? (
        <img className="viewer-image" src={url} alt={doc.description ?? title ?? 'Uploaded picture'} />
      ) : null}
    </div>
  );
}

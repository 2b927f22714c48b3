/**
 * What Heron accepts as the content of a stored `Binary` (a document's file): a type from the
 * allow-list below, no larger than the configured limit, whose bytes are what its declared type
 * says (checked by their magic numbers with `file-type`; plain text must be UTF-8 without NUL).
 * A file claiming to be a PDF but holding HTML or a script is refused, so nothing stored can be
 * served to a browser as something else. Applies to every write of a Binary — raw uploads, FHIR
 * JSON, Bundle entries, patches.
 */
import type { Binary } from '@medplum/fhirtypes';
import { fileTypeFromBuffer } from 'file-type';
import { FhirError, issue } from '../../fhir/outcome.ts';

/** 20 MiB: a scanned multi-page PDF or a phone photo, not a video. `HERON_MAX_BINARY_MB` changes it. */
export const DEFAULT_BINARY_BYTES = 20 * 1024 * 1024;

export interface DocumentType {
  /** The media type as stored and served. */
  contentType: string;
  /** File name extension for downloads. */
  extension: string;
  /** What `file-type` reports for such bytes (its `mime`); none for plain text. */
  detected: readonly string[];
}

/** The content types a Binary may have: documents and pictures a chart shows inline. */
export const DOCUMENT_TYPES: readonly DocumentType[] = [
  { contentType: 'application/pdf', extension: 'pdf', detected: ['application/pdf'] },
  { contentType: 'image/png', extension: 'png', detected: ['image/png'] },
  { contentType: 'image/jpeg', extension: 'jpg', detected: ['image/jpeg'] },
  { contentType: 'image/webp', extension: 'webp', detected: ['image/webp'] },
  { contentType: 'image/heic', extension: 'heic', detected: ['image/heic', 'image/heif'] },
  { contentType: 'text/plain', extension: 'txt', detected: [] },
];

const BY_TYPE = new Map(DOCUMENT_TYPES.map((t) => [t.contentType, t]));

/** The media type without parameters, lower-cased (`Text/Plain; charset=utf-8` → `text/plain`). */
export function mediaTypeOf(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

/** The allow-listed document type of a media type, or undefined. */
export function documentType(contentType: string): DocumentType | undefined {
  return BY_TYPE.get(mediaTypeOf(contentType));
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Throws unless `binary` may be stored: its type allowed, its data at most `maxBytes` once
 * decoded, and its bytes of the type it declares. Returns the decoded bytes.
 */
export async function checkBinaryContent(binary: Binary, maxBytes = DEFAULT_BINARY_BYTES): Promise<Uint8Array> {
  const declared = documentType(binary.contentType ?? '');
  if (declared === undefined) {
    const allowed = DOCUMENT_TYPES.map((t) => t.contentType).join(', ');
    throw new FhirError('unsupported-media-type', [issue('not-supported', `Binary content of type ${JSON.stringify(binary.contentType)} is not accepted; send one of ${allowed}`, 'Binary.contentType')]);
  }
  // base64 is 4 characters per 3 bytes: refuse before decoding what is plainly too large.
  const data = binary.data ?? '';
  if (Math.floor((data.length * 3) / 4) > maxBytes + 3) throw tooLarge(maxBytes);
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > maxBytes) throw tooLarge(maxBytes);
  if (bytes.length === 0) throw new FhirError('invalid', [issue('required', 'The Binary has no content (data is empty)', 'Binary.data')]);
  const found = await fileTypeFromBuffer(bytes);
  if (declared.detected.length === 0) {
    if (found !== undefined || !isPlainText(bytes)) throw mismatch(declared.contentType, found?.mime ?? 'binary data');
  } else if (found === undefined || !declared.detected.includes(found.mime)) {
    throw mismatch(declared.contentType, found?.mime ?? (isPlainText(bytes) ? 'text' : 'data of an unknown type'));
  }
  return bytes;
}

function isPlainText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function tooLarge(maxBytes: number): FhirError {
  return new FhirError('too-large', [issue('too-long', `The file is larger than the limit of ${(maxBytes / 1024 / 1024).toFixed(0)} MB (${maxBytes} bytes)`, 'Binary.data')]);
}

function mismatch(declared: string, found: string): FhirError {
  return new FhirError('unprocessable', [issue('invalid', `The file's content is ${found}, not ${declared} as declared; send it with its real type`, 'Binary.data')]);
}

/**
 * The transport-free shape of a FHIR interaction. HTTP routes, batch/transaction entries, the
 * CLI importer and tests all build a `FhirRequest` and call `dispatch` (see `dispatch.ts`), so
 * every path shares one implementation of FHIR semantics.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { ReportFormat } from '../../domain/audit/audit-report.ts';

export interface FhirRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  /** Path relative to the FHIR base, without leading slash or query: `Patient/123/_history/2`. */
  path: string;
  query: URLSearchParams;
  headers: {
    ifMatch?: string;
    ifNoneMatch?: string;
    ifModifiedSince?: string;
    ifNoneExist?: string;
    prefer?: string;
    contentType?: string;
  };
  /** Parsed JSON body (already checked for size, depth and dangerous keys). */
  body?: unknown;
  /** The absolute FHIR base URL, for links and `fullUrl`s, without trailing slash. */
  baseUrl: string;
  /**
   * Set only by transaction Bundle processing: the id a create (or a conditional update that
   * creates) must give the new resource. Ids are assigned before any entry runs so that entries
   * can reference each other (`urn:uuid:` fullUrls) in any order, cycles included.
   */
  assignedId?: string;
  /** Largest Binary content accepted, in bytes (decoded); `DEFAULT_BINARY_BYTES` when absent. */
  binaryBytes?: number;
  /**
   * Set for a read of a Binary whose `Accept` does not ask for FHIR JSON: the Accept header, and
   * the Binary is answered as its own content type (`native`) if that header allows it.
   */
  nativeAccept?: string;
  /**
   * A representation other than FHIR JSON, for the audit report only (`AuditEvent` search): HTTP
   * negotiates CSV there, the CLI also asks for NDJSON and text.
   */
  format?: ReportFormat;
}

export interface FhirResponse {
  status: number;
  body?: Resource;
  /**
   * `body` as JSON text, when the interaction has it ready (a stored version read unchanged), so
   * HTTP can send it without serialising; `body` then parses it on first access.
   */
  rawBody?: string;
  headers?: {
    location?: string;
    etag?: string;
    lastModified?: string;
    contentLocation?: string;
  };
  /** A Binary answered as its own content type (`nativeAccept`); `body` still holds the Binary for the audit. */
  native?: NativeContent;
  /** A body sent part by part instead of `body` (the audit report's export). */
  stream?: FhirStream;
  /** The records (`Patient/id`) the interaction concerned, for its audit entry, when `body` does not show them (an operation answering Parameters). */
  patients?: string[];
}

/**
 * A response too long to hold: every part is a batch of records with what they disclose, and
 * dispatch audits each part, as it would a page of search results, before it is released.
 */
export interface FhirStream {
  contentType: string;
  /** Ends every record on the wire. */
  terminator: string;
  /** Suggested file name for a download. */
  filename?: string;
  parts: AsyncIterable<StreamPart>;
}

export interface StreamPart {
  records: string[];
  /** The ids of the resources in this part, as a search page's audit entry names them. */
  ids: string[];
  /** `Patient/id` of the records this part discloses. */
  patients: string[];
}

/** A Binary's content as its own media type, with what a browser needs to show it safely. */
export interface NativeContent {
  contentType: string;
  bytes: Uint8Array;
  /** Suggested file name. */
  filename: string;
  /** Shown in the browser (an allow-listed document type) rather than downloaded. */
  inline: boolean;
}

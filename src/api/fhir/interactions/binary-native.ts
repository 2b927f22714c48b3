/**
 * A Binary read answered as its own content (`Accept: application/pdf`, `image/*`…) rather than
 * as FHIR JSON: the bytes with the media type stored in `contentType`, for a viewer to show. The
 * Accept header must allow that type (406 otherwise, naming it). HTTP adds the headers that keep
 * a browser from treating the file as anything else (`routes.ts`, `sendNative`).
 * @see https://hl7.org/fhir/R4/binary.html#rest
 */
import type { Binary } from '@medplum/fhirtypes';
import { documentType, mediaTypeOf } from '../../../domain/documents/binary-content.ts';
import { FhirError } from '../../../fhir/outcome.ts';
import type { StoredVersion } from '../../../store/store.ts';
import type { FhirResponse } from '../fhir-request.ts';
import { readResponse } from './version-response.ts';

export function nativeResponse(v: StoredVersion, accept: string): FhirResponse {
  const binary = v.resource as Binary;
  const type = mediaTypeOf(binary.contentType ?? '') || 'application/octet-stream';
  if (!accepts(accept, type)) {
    throw new FhirError('not-acceptable', `Binary/${v.id} holds ${type}; the Accept header (${accept}) does not allow it. Ask for ${type}, or application/fhir+json for the Binary resource`);
  }
  const known = documentType(type);
  const { headers } = readResponse(v);
  return {
    status: 200,
    headers,
    // The resource stays in the response for the audit (whose record it is), not for the wire.
    body: binary,
    native: { contentType: type, bytes: Buffer.from(binary.data ?? '', 'base64'), filename: `${v.id}.${known?.extension ?? 'bin'}`, inline: known !== undefined },
  };
}

/** Whether a media range of `accept` with q > 0 covers `type`. */
function accepts(accept: string, type: string): boolean {
  const family = type.split('/')[0];
  return accept.split(',').some((part) => {
    const [range, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) return false;
    return range === type || range === `${family}/*` || range === '*/*';
  });
}

/**
 * `GET [base]/[type]/[id]/_history/[vid]`: one past or current version. Unknown -> 404; a
 * version that records a delete -> 410.
 * @see https://hl7.org/fhir/R4/http.html#vread
 */
import { type Ctx, reader } from '../../../domain/context.ts';
import { errors } from '../../../fhir/outcome.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { readResponse } from './version-response.ts';
import { nativeResponse } from './binary-native.ts';

export async function vread(ctx: Ctx, req: FhirRequest, resourceType: string, id: string, versionId: string): Promise<FhirResponse> {
  if (!/^[1-9][0-9]{0,15}$/.test(versionId)) throw errors.notFound(`${resourceType}/${id} has no version ${versionId}`);
  const version = await reader(ctx).readVersion(resourceType, id, versionId);
  if (version === undefined) throw errors.notFound(`${resourceType}/${id} has no version ${versionId}`);
  if (version.deleted) throw errors.gone(`Version ${versionId} of ${resourceType}/${id} records its deletion`);
  if (req.nativeAccept !== undefined && resourceType === 'Binary') return nativeResponse(version, req.nativeAccept);
  return readResponse(version);
}

/**
 * `PATCH [base]/[type]/[id]` (and `PATCH [base]/[type]?criteria`): JSON Patch
 * (`application/json-patch+json`) or FHIRPath Patch (a `Parameters` body as
 * `application/fhir+json`). The patch is applied to the current version under a lock on the id,
 * so concurrent patches compose instead of losing each other's changes.
 * @see https://hl7.org/fhir/R4/http.html#patch
 */
import type { Resource } from '@medplum/fhirtypes';
import type { StoredVersion, StoreTransaction } from '../../../store/store.ts';
import { type Ctx, withTransaction } from '../../../domain/context.ts';
import { errors, FhirError } from '../../../fhir/outcome.ts';
import { applyJsonPatch } from '../../../fhir/patch/json-patch.ts';
import { applyFhirPathPatch } from '../../../fhir/patch/fhirpath-patch.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { lockAndMatch, tooManyMatches } from './conditional.ts';
import { checkStoredContent, resourceAfterPatch } from './resource-body.ts';
import { expectedVersionOf, writeResponse } from './version-response.ts';

type PatchFn = (resource: Resource) => Resource;

export async function patch(ctx: Ctx, req: FhirRequest, resourceType: string, id: string): Promise<FhirResponse> {
  const apply = patchOf(req);
  const expected = expectedVersionOf(req);
  const version = await withTransaction(ctx, (tx) => writePatch(req, tx, resourceType, id, apply, expected));
  return writeResponse(req, version, 200);
}

/** `PATCH [base]/[type]?criteria`: none match -> 404, one -> patch it, several -> 412. */
export async function conditionalPatch(ctx: Ctx, req: FhirRequest, resourceType: string): Promise<FhirResponse> {
  const apply = patchOf(req);
  const expected = expectedVersionOf(req);
  const version = await withTransaction(ctx, async (tx) => {
    const matches = await lockAndMatch(ctx, tx, resourceType, req.query);
    if (matches.length > 1) throw tooManyMatches(resourceType, req.query);
    if (matches.length === 0) throw errors.notFound(`No ${resourceType} matches ${req.query.toString()}`);
    return writePatch(req, tx, resourceType, matches[0].id as string, apply, expected);
  });
  return writeResponse(req, version, 200);
}

async function writePatch(req: FhirRequest, tx: StoreTransaction, resourceType: string, id: string, apply: PatchFn, expected: number | undefined): Promise<StoredVersion> {
  await tx.lock(`${resourceType}/${id}`);
  const current = await tx.readCurrent(resourceType, id);
  if (current === undefined) throw errors.notFound(`${resourceType}/${id} is not known`);
  if (current.deleted) throw errors.gone(`${resourceType}/${id} was deleted`);
  if (expected !== undefined && String(expected) !== current.versionId) {
    throw errors.preconditionFailed(`${resourceType}/${id} is at version ${current.versionId}, not ${expected}`);
  }
  const patched = resourceAfterPatch(apply(structuredClone(current.resource as Resource)), resourceType, id);
  await checkStoredContent(req, patched);
  return tx.writeVersion({ resourceType, id, method: 'PATCH', resource: patched, expectedVersion: Number(current.versionId) });
}

/** Chooses the patch format from the Content-Type. */
function patchOf(req: FhirRequest): PatchFn {
  const type = (req.headers.contentType ?? '').split(';')[0].trim().toLowerCase();
  const body = req.body;
  if (body === undefined) throw errors.invalid('A PATCH needs a body: a JSON Patch array or a FHIRPath Patch Parameters resource');
  if (type === 'application/json-patch+json') return (resource) => applyJsonPatch(resource, body);
  if (type === 'application/fhir+json' || type === 'application/json') {
    if (Array.isArray(body)) return (resource) => applyJsonPatch(resource, body);
    if ((body as { resourceType?: unknown }).resourceType === 'Parameters') return (resource) => applyFhirPathPatch(resource, body);
    throw errors.invalid('A PATCH body must be a JSON Patch array or a FHIRPath Patch Parameters resource');
  }
  throw new FhirError('unsupported-media-type', `PATCH accepts application/json-patch+json or application/fhir+json, not ${type || 'no Content-Type'}`);
}

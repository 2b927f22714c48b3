/**
 * `DELETE [base]/[type]/[id]`: records a deletion as a new version. Deleting what does not exist
 * or is already deleted succeeds with 204 and writes nothing (delete is idempotent).
 * `DELETE [base]/[type]?criteria`: conditional delete in single mode — none match -> 204, one ->
 * delete it, several -> 412 (the CapabilityStatement says `conditionalDelete: single`).
 * @see https://hl7.org/fhir/R4/http.html#delete
 * @see https://hl7.org/fhir/R4/http.html#3.1.0.7.1
 */
import type { StoredVersion, StoreTransaction } from '../../../store/store.ts';
import { type Ctx, withTransaction } from '../../../domain/context.ts';
import { errors, informationOutcome } from '../../../fhir/outcome.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { parsePrefer } from '../formats.ts';
import { lockAndMatch, tooManyMatches } from './conditional.ts';
import { etagOf, expectedVersionOf, httpDate } from './version-response.ts';

export async function deleteResource(ctx: Ctx, req: FhirRequest, resourceType: string, id: string): Promise<FhirResponse> {
  const expected = expectedVersionOf(req);
  const version = await withTransaction(ctx, (tx) => writeDelete(tx, resourceType, id, expected));
  return deleteResponse(req, resourceType, id, version);
}

export async function conditionalDelete(ctx: Ctx, req: FhirRequest, resourceType: string): Promise<FhirResponse> {
  const expected = expectedVersionOf(req);
  const result = await withTransaction(ctx, async (tx) => {
    const matches = await lockAndMatch(ctx, tx, resourceType, req.query);
    if (matches.length > 1) throw tooManyMatches(resourceType, req.query);
    if (matches.length === 0) return undefined;
    const id = matches[0].id as string;
    return { id, version: await writeDelete(tx, resourceType, id, expected) };
  });
  return deleteResponse(req, resourceType, result?.id, result?.version);
}

/** Writes the delete version; undefined when there was nothing to delete. */
async function writeDelete(tx: StoreTransaction, resourceType: string, id: string, expected: number | undefined): Promise<StoredVersion | undefined> {
  await tx.lock(`${resourceType}/${id}`);
  const current = await tx.readCurrent(resourceType, id);
  if (expected !== undefined && (current === undefined || String(expected) !== current.versionId)) {
    throw errors.preconditionFailed(`${resourceType}/${id} is ${current ? `at version ${current.versionId}` : 'not known'}, not at version ${expected}`);
  }
  if (current === undefined || current.deleted) return undefined;
  return tx.writeVersion({ resourceType, id, method: 'DELETE', expectedVersion: Number(current.versionId) });
}

function deleteResponse(req: FhirRequest, resourceType: string, id: string | undefined, version: StoredVersion | undefined): FhirResponse {
  const headers = version ? { etag: etagOf(version.versionId), lastModified: httpDate(version.lastUpdated) } : undefined;
  if (parsePrefer(req.headers.prefer).return === 'OperationOutcome') {
    const what = id === undefined ? `No ${resourceType} matched; nothing was deleted` : version ? `Deleted ${resourceType}/${id}` : `${resourceType}/${id} did not exist; nothing was deleted`;
    return { status: 200, body: informationOutcome(what), headers };
  }
  return { status: 204, headers };
}

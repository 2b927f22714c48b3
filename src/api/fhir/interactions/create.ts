/**
 * `POST [base]/[type]`: create, with the server choosing the id, and conditional create
 * (`If-None-Exist`): none match -> create (201), one matches -> return it (200), several -> 412.
 * @see https://hl7.org/fhir/R4/http.html#create
 */
import { newResourceId } from '../../../fhir/resource-id.ts';
import type { Resource } from '@medplum/fhirtypes';
import type { StoredVersion, StoreTransaction } from '../../../store/store.ts';
import { type Ctx, withTransaction } from '../../../domain/context.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { criteriaFromHeader, lockAndMatch, tooManyMatches } from './conditional.ts';
import { checkStoredContent, resourceForCreate } from './resource-body.ts';
import { writeResponse } from './version-response.ts';

/** Handles create and conditional create of `resourceType`. */
export async function create(ctx: Ctx, req: FhirRequest, resourceType: string): Promise<FhirResponse> {
  const resource = resourceForCreate(req.body, resourceType);
  await checkStoredContent(req, resource);
  const condition = req.headers.ifNoneExist;
  if (condition === undefined || condition.trim() === '') {
    const created = await withTransaction(ctx, (tx) => insertNew(tx, resource, req.assignedId));
    return writeResponse(req, created, 201);
  }
  const criteria = criteriaFromHeader(resourceType, condition);
  const outcome = await withTransaction(ctx, async (tx): Promise<{ created?: StoredVersion; existing?: StoredVersion }> => {
    const matches = await lockAndMatch(ctx, tx, resourceType, criteria);
    if (matches.length > 1) throw tooManyMatches(resourceType, criteria);
    if (matches.length === 1) {
      const existing = await tx.readCurrent(resourceType, matches[0].id as string);
      if (existing && !existing.deleted) return { existing };
    }
    return { created: await insertNew(tx, resource, req.assignedId) };
  });
  if (outcome.created) return writeResponse(req, outcome.created, 201);
  return writeResponse(req, outcome.existing as StoredVersion, 200);
}

/**
 * Writes a resource under a fresh server-assigned id (or the one a transaction Bundle assigned
 * up front, so its entries could already refer to it).
 */
export function insertNew(tx: StoreTransaction, resource: Resource, assignedId?: string): Promise<StoredVersion> {
  const id = assignedId ?? newResourceId();
  // No copy with the id set: the store writes `id` (and meta) into the content it stores.
  return tx.writeVersion({ resourceType: resource.resourceType, id, method: 'POST', resource, expectedVersion: 0 });
}

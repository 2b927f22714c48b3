/**
 * `PUT [base]/[type]/[id]`: update, or create with the client's id when the id is new
 * (update-as-create, 201) — except for callers to whom stored resources of the type can be absent
 * (patient-bound access, granular scopes), who get 405 for any id that is not there for them
 * (`absent-resources.ts`). `If-Match` makes it a version-aware update (412 on mismatch).
 * `PUT [base]/[type]?criteria`: conditional update — none match -> create, one -> update it,
 * several -> 412.
 * @see https://hl7.org/fhir/R4/http.html#update
 * @see https://hl7.org/fhir/R4/http.html#cond-update
 */
import type { Resource } from '@medplum/fhirtypes';
import type { StoredVersion, StoreTransaction } from '../../../store/store.ts';
import { mayCreateAtChosenId } from '../../../domain/access/absent-resources.ts';
import { type Ctx, withTransaction } from '../../../domain/context.ts';
import { errors } from '../../../fhir/outcome.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { lockAndMatch, tooManyMatches } from './conditional.ts';
import { insertNew } from './create.ts';
import { checkStoredContent, ID_PATTERN, requireResourceObject, resourceForCreate, resourceForUpdate } from './resource-body.ts';
import { expectedVersionOf, writeResponse } from './version-response.ts';

interface UpdateResult {
  version: StoredVersion;
  created: boolean;
}

export async function update(ctx: Ctx, req: FhirRequest, resourceType: string, id: string): Promise<FhirResponse> {
  const resource = resourceForUpdate(req.body, resourceType, id);
  await checkStoredContent(req, resource);
  const expectedVersion = expectedVersionOf(req);
  const mayCreate = mayCreateAtChosenId(ctx, resourceType);
  const result = await withTransaction(ctx, (tx) => writeUpdate(tx, resource, expectedVersion, mayCreate));
  return writeResponse(req, result.version, result.created ? 201 : 200);
}

/**
 * Writes `resource` as the next version of its id. A resource that does not exist (or exists
 * only as deleted) is created, answered with 201, when `mayCreate`; otherwise refused with 405,
 * as R4 answers a server that does not let clients choose ids.
 */
export async function writeUpdate(tx: StoreTransaction, resource: Resource, expectedVersion: number | undefined, mayCreate = true): Promise<UpdateResult> {
  const { resourceType } = resource;
  const id = resource.id as string;
  // The lock serialises concurrent PUTs to one id, so "created" is decided on a stable view.
  await tx.lock(`${resourceType}/${id}`);
  const current = await tx.readCurrent(resourceType, id);
  const created = current === undefined || current.deleted;
  if (created && !mayCreate) {
    throw errors.notAllowed(`${resourceType}/${id} is not known, and this access cannot create a resource at an id of its choice (update-as-create); create it with POST ${resourceType}`);
  }
  const version = await tx.writeVersion({ resourceType, id, method: 'PUT', resource, expectedVersion });
  return { version, created };
}

/** `PUT [base]/[type]?criteria`. */
export async function conditionalUpdate(ctx: Ctx, req: FhirRequest, resourceType: string): Promise<FhirResponse> {
  const body = requireResourceObject(req.body);
  const bodyId = body.id;
  if (bodyId !== undefined && (typeof bodyId !== 'string' || !ID_PATTERN.test(bodyId))) throw errors.invalid('The resource id is not a valid FHIR id', 'id');
  await checkStoredContent(req, body);
  const expectedVersion = expectedVersionOf(req);
  const result = await withTransaction(ctx, async (tx): Promise<UpdateResult> => {
    const matches = await lockAndMatch(ctx, tx, resourceType, req.query);
    if (matches.length > 1) throw tooManyMatches(resourceType, req.query);
    if (matches.length === 1) {
      const matchId = matches[0].id as string;
      if (bodyId !== undefined && bodyId !== matchId) {
        throw errors.invalid(`The resource id "${bodyId}" differs from the id "${matchId}" of the resource the criteria match`, 'id');
      }
      return writeUpdate(tx, resourceForUpdate({ ...body, id: matchId }, resourceType, matchId), expectedVersion);
    }
    if (bodyId === undefined) return { version: await insertNew(tx, resourceForCreate(body, resourceType), req.assignedId), created: true };
    // No match but an id: update-as-create, unless that id is taken by a resource the criteria
    // did not match (R4: 409, since overwriting it would be a surprise).
    const existing = await tx.readCurrent(resourceType, bodyId);
    if (existing !== undefined && !existing.deleted) {
      throw errors.conflict(`${resourceType}/${bodyId} exists but does not match the criteria`);
    }
    return writeUpdate(tx, resourceForUpdate(body, resourceType, bodyId), expectedVersion);
  });
  return writeResponse(req, result.version, result.created ? 201 : 200);
}

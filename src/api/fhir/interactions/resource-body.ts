/**
 * The checks every written resource passes before it reaches the store: it is a JSON object of
 * the type the URL names, its id agrees with the URL, and it is valid FHIR R4. Wrong shape or a
 * URL/body disagreement is the client's request error (400); a resource that breaks FHIR rules
 * is unprocessable (422).
 * @see https://hl7.org/fhir/R4/http.html#update
 */
import type { Binary, Resource } from '@medplum/fhirtypes';
import { checkBinaryContent } from '../../../domain/documents/binary-content.ts';
import type { FhirRequest } from '../fhir-request.ts';
import { errors, FhirError, type Issue } from '../../../fhir/outcome.ts';
import { validateResource } from '../../../fhir/validation/validate.ts';

/** The id syntax of FHIR R4 (`id` datatype). */
export const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

/** Throws `invalid` unless `value` is a JSON object with a `resourceType`. */
export function requireResourceObject(value: unknown, what = 'The request body'): Resource {
  if (value === undefined) throw errors.invalid(`${what} is missing; send a FHIR resource as application/fhir+json`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw errors.invalid(`${what} must be a JSON object`);
  const resourceType = (value as { resourceType?: unknown }).resourceType;
  if (typeof resourceType !== 'string') throw errors.invalid(`${what} has no resourceType`, 'resourceType');
  return value as Resource;
}

/**
 * The resource of a create: any client id is dropped (the server assigns ids on create) and the
 * server-owned meta elements are cleared.
 */
export function resourceForCreate(body: unknown, resourceType: string): Resource {
  const resource = ownCopy(requireResourceObject(body), resourceType);
  delete resource.id;
  return checked(resource);
}

/**
 * The resource of an update of `Type/id`: the body must carry the same id (R4 requires it; a
 * missing or different id is 400).
 */
export function resourceForUpdate(body: unknown, resourceType: string, id: string): Resource {
  const resource = ownCopy(requireResourceObject(body), resourceType);
  if (resource.id === undefined) throw errors.invalid(`The resource has no id; an update of ${resourceType}/${id} must carry id "${id}"`, 'id');
  if (resource.id !== id) throw errors.invalid(`The resource id "${resource.id}" does not match the id "${id}" in the URL`, 'id');
  return checked(resource);
}

/**
 * A patched resource: type and id must be unchanged (a patch cannot move a resource), and it must
 * still be valid.
 */
export function resourceAfterPatch(patched: Resource, resourceType: string, id: string): Resource {
  if (patched.resourceType !== resourceType) throw errors.unprocessable([invalidIssue('A patch cannot change resourceType', 'resourceType')]);
  if (patched.id !== id) throw errors.unprocessable([invalidIssue('A patch cannot change the id', 'id')]);
  return checked(ownCopy(patched, resourceType));
}

/** The errors `validateResource` reports (warnings do not block a write). */
export function blockingIssues(resource: unknown): Issue[] {
  return validateResource(resource).filter((i) => i.severity === 'error' || i.severity === 'fatal');
}

function checked(resource: Resource): Resource {
  const problems = blockingIssues(resource);
  if (problems.length > 0) throw new FhirError('unprocessable', problems);
  return resource;
}

/** A shallow copy with its own `meta`, without the server-owned versionId/lastUpdated. */
function ownCopy(resource: Resource, resourceType: string): Resource {
  if (resource.resourceType !== resourceType) {
    throw errors.invalid(`The resource type "${resource.resourceType}" does not match the type "${resourceType}" in the URL`, 'resourceType');
  }
  const copy = { ...resource };
  if (copy.meta !== undefined && copy.meta !== null && typeof copy.meta === 'object') {
    const { versionId: _versionId, lastUpdated: _lastUpdated, ...meta } = copy.meta;
    if (Object.keys(meta).length > 0) copy.meta = meta;
    else delete copy.meta;
  }
  return copy;
}

function invalidIssue(diagnostics: string, expression: string): Issue {
  return { severity: 'error', code: 'processing', diagnostics, expression: [expression] };
}

/**
 * The checks of a written resource that need more than its shape: a Binary's content must be an
 * allowed type, within the size limit, and really of its declared type (`binary-content.ts`).
 */
export async function checkStoredContent(req: FhirRequest, resource: Resource): Promise<void> {
  if (resource.resourceType === 'Binary') await checkBinaryContent(resource as Binary, req.binaryBytes);
}

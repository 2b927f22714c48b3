/**
 * `POST [base]/[type]/$validate` and `[base]/[type]/[id]/$validate`: checks a resource without
 * storing it. The body is the resource itself or `Parameters` with a `resource` (and optional
 * `mode`) parameter. The answer is always 200 with an OperationOutcome listing the issues found;
 * `GET [base]/[type]/[id]/$validate` checks the stored current version.
 * @see https://hl7.org/fhir/R4/resource-operation-validate.html
 */
import type { Parameters, Resource } from '@medplum/fhirtypes';
import { type Ctx, reader } from '../../../domain/context.ts';
import { errors, informationOutcome, issue, type Issue, operationOutcome } from '../../../fhir/outcome.ts';
import { validateResource } from '../../../fhir/validation/validate.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { requireResourceObject } from './resource-body.ts';

const MODES: ReadonlySet<string> = new Set(['create', 'update', 'delete']);

export async function validate(ctx: Ctx, req: FhirRequest, resourceType: string, id?: string): Promise<FhirResponse> {
  const { resource, mode } = await subjectOf(ctx, req, resourceType, id);
  if (mode !== undefined && !MODES.has(mode)) throw errors.invalid(`mode must be create, update or delete, not ${JSON.stringify(mode)}`, 'mode');
  if (mode === 'delete') {
    // Nothing forbids deleting yet (referential integrity is not enforced), so a delete is fine.
    if (id === undefined) throw errors.invalid('mode=delete needs an instance: POST [type]/[id]/$validate');
    return ok([]);
  }
  const found: Issue[] = [];
  if (resource === undefined) throw errors.invalid('Nothing to validate: send the resource or Parameters with a resource parameter');
  if (resource.resourceType !== resourceType) {
    found.push(issue('invalid', `The resource type "${resource.resourceType}" does not match the type "${resourceType}" in the URL`, 'resourceType'));
  }
  if (mode === 'update' || (mode === undefined && id !== undefined && req.method !== 'GET')) {
    if (resource.id === undefined) found.push(issue('required', 'An update needs the resource id', 'id'));
    else if (id !== undefined && resource.id !== id) found.push(issue('invalid', `The resource id "${resource.id}" does not match the id "${id}" in the URL`, 'id'));
  }
  found.push(...validateResource(resource));
  return ok(found);
}

function ok(found: Issue[]): FhirResponse {
  return { status: 200, body: found.length === 0 ? informationOutcome('No issues detected') : operationOutcome(found) };
}

/** The resource to check and the requested mode. */
async function subjectOf(ctx: Ctx, req: FhirRequest, resourceType: string, id?: string): Promise<{ resource?: Resource; mode?: string }> {
  const queryMode = req.query.get('mode') ?? undefined;
  if (req.body === undefined) {
    if (id === undefined || queryMode === 'delete') return { mode: queryMode };
    const current = await reader(ctx).readCurrent(resourceType, id);
    if (current === undefined) throw errors.notFound(`${resourceType}/${id} is not known`);
    if (current.deleted) throw errors.gone(`${resourceType}/${id} was deleted`);
    return { resource: current.resource, mode: queryMode };
  }
  const body = requireResourceObject(req.body);
  if (body.resourceType !== 'Parameters' || resourceType === 'Parameters') return { resource: body, mode: queryMode };
  const parameters = (body as Parameters).parameter ?? [];
  const resource = parameters.find((p) => p.name === 'resource')?.resource;
  const mode = parameters.find((p) => p.name === 'mode')?.valueCode ?? queryMode;
  return { resource, mode };
}

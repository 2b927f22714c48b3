/**
 * JSON Patch (RFC 6902) on a resource, for `PATCH` with `application/json-patch+json`.
 *
 * The input resource is never changed: the patch is applied to a copy. Malformed patch documents
 * are `invalid` (400); well-formed patches that cannot apply (a failed `test`, a path that does
 * not exist, changing `resourceType`) are `unprocessable` (422). Paths through `__proto__`,
 * `constructor` or `prototype` are refused outright, whatever the library would do with them.
 * The caller validates the result like any other write.
 * @see https://hl7.org/fhir/R4/http.html#patch
 * @see https://www.rfc-editor.org/rfc/rfc6902
 */
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { Resource } from '@medplum/fhirtypes';
import { FhirError, issue } from '../outcome.ts';

const { applyPatch, JsonPatchError } = jsonpatch;

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/** Applies a JSON Patch document to a copy of `resource` and returns the copy. */
export function applyJsonPatch(resource: Resource, operations: unknown): Resource {
  const ops = checkOperations(operations);
  let result: Resource;
  try {
    result = applyPatch(resource, ops, true, false, true).newDocument;
  } catch (err) {
    if (err instanceof JsonPatchError) {
      const index = typeof err.index === 'number' ? err.index : undefined;
      const where = index === undefined ? '' : ` (operation ${index}: ${ops[index]?.op} ${ops[index]?.path})`;
      if (err.name === 'TEST_OPERATION_FAILED') throw unprocessable(`JSON Patch test failed${where}`);
      throw unprocessable(`JSON Patch cannot be applied${where}: ${firstLine(err.message)}`);
    }
    throw err;
  }
  if (!result || typeof result !== 'object' || Array.isArray(result) || result.resourceType !== resource.resourceType) {
    throw unprocessable('JSON Patch must not change or remove resourceType');
  }
  return result;
}

/** The shape checks RFC 6902 asks for, with messages that say which operation is wrong. */
function checkOperations(operations: unknown): Operation[] {
  if (!Array.isArray(operations)) throw invalid('A JSON Patch document must be a JSON array of operations');
  operations.forEach((op: unknown, i) => {
    if (!op || typeof op !== 'object' || Array.isArray(op)) throw invalid(`JSON Patch operation ${i} must be an object`);
    const o = op as Record<string, unknown>;
    if (typeof o.op !== 'string' || !OPS.has(o.op)) throw invalid(`JSON Patch operation ${i}: "op" must be one of ${[...OPS].join(', ')}`);
    checkPointer(o.path, 'path', i);
    if (o.op === 'move' || o.op === 'copy') checkPointer(o.from, 'from', i);
    if ((o.op === 'add' || o.op === 'replace' || o.op === 'test') && !('value' in o)) {
      throw invalid(`JSON Patch operation ${i} (${o.op}) needs a "value"`);
    }
  });
  return operations as Operation[];
}

function checkPointer(pointer: unknown, name: string, i: number): void {
  if (typeof pointer !== 'string' || (pointer !== '' && !pointer.startsWith('/'))) {
    throw invalid(`JSON Patch operation ${i}: "${name}" must be a JSON Pointer such as /name/0/family`);
  }
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (FORBIDDEN_SEGMENTS.has(segment)) throw invalid(`JSON Patch operation ${i}: "${name}" must not contain "${segment}"`);
  }
  if (pointer === '') throw invalid(`JSON Patch operation ${i}: "${name}" must not be the whole resource`);
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}

function invalid(message: string): FhirError {
  return new FhirError('invalid', [issue('invalid', message)]);
}

function unprocessable(message: string): FhirError {
  return new FhirError('unprocessable', [issue('processing', message)]);
}

/**
 * Reads the operations of a FHIRPath Patch `Parameters` body and checks their shape, so the
 * applier only sees well-formed operations with the parts their type needs.
 * @see https://hl7.org/fhir/R4/fhirpatch.html
 */
import { FhirError, issue } from '../outcome.ts';

export type PatchType = 'add' | 'insert' | 'delete' | 'replace' | 'move';

/** A value to write: the JSON to store and, when given as `value[x]`, its FHIR type. */
export interface PatchValue {
  json: unknown;
  type?: string;
}

export interface PatchOperation {
  type: PatchType;
  path: string;
  name?: string;
  value?: PatchValue;
  index?: number;
  source?: number;
  destination?: number;
}

type Part = Record<string, unknown> & { name?: unknown; part?: unknown };

const PRIMITIVES = new Set([
  'base64Binary', 'boolean', 'canonical', 'code', 'date', 'dateTime', 'decimal', 'id', 'instant', 'integer',
  'markdown', 'oid', 'positiveInt', 'string', 'time', 'unsignedInt', 'uri', 'url', 'uuid', 'xhtml',
]);

/** What each operation type needs besides `path`. */
const NEEDS: Record<PatchType, (keyof PatchOperation)[]> = {
  add: ['name', 'value'],
  insert: ['value', 'index'],
  delete: [],
  replace: ['value'],
  move: ['source', 'destination'],
};

/** The operations of a Parameters body; throws FhirError `invalid` if it is not a well-formed patch. */
export function readOperations(parameters: unknown): PatchOperation[] {
  const p = parameters as { resourceType?: unknown; parameter?: unknown } | null;
  if (!p || typeof p !== 'object' || p.resourceType !== 'Parameters') throw invalid('A FHIRPath Patch body must be a Parameters resource');
  if (!Array.isArray(p.parameter) || p.parameter.length === 0) throw invalid('A FHIRPath Patch needs at least one "operation" parameter');
  return p.parameter.map((param: unknown, i: number) => readOperation(param, i));
}

function readOperation(param: unknown, i: number): PatchOperation {
  const where = `Parameters.parameter[${i}]`;
  const p = param as Part | null;
  if (!p || typeof p !== 'object' || p.name !== 'operation') throw invalid(`${where} must be named "operation"`, where);
  if (!Array.isArray(p.part)) throw invalid(`${where} needs parts (type, path, ...)`, where);
  const parts = new Map<string, Part>();
  for (const part of p.part as Part[]) {
    if (!part || typeof part !== 'object' || typeof part.name !== 'string') throw invalid(`${where}: every part needs a name`, where);
    if (parts.has(part.name)) throw invalid(`${where}: part "${part.name}" appears twice`, where);
    parts.set(part.name, part);
  }
  const type = primitive(parts.get('type'), ['valueCode', 'valueString']);
  if (type !== 'add' && type !== 'insert' && type !== 'delete' && type !== 'replace' && type !== 'move') {
    throw invalid(`${where}: type must be add, insert, delete, replace or move`, where);
  }
  const path = primitive(parts.get('path'), ['valueString']);
  if (typeof path !== 'string' || path.trim() === '') throw invalid(`${where}: a "path" (valueString) is required`, where);
  const op: PatchOperation = { type, path };
  const name = primitive(parts.get('name'), ['valueString', 'valueCode']);
  if (typeof name === 'string') {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw invalid(`${where}: "name" must be an element name`, where);
    op.name = name;
  }
  for (const key of ['index', 'source', 'destination'] as const) {
    const n = primitive(parts.get(key), ['valueInteger', 'valueUnsignedInt', 'valuePositiveInt']);
    if (n === undefined) continue;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw invalid(`${where}: "${key}" must be a non-negative integer`, where);
    op[key] = n;
  }
  const value = parts.get('value');
  if (value) op.value = readValue(value, `${where}.part(value)`);
  for (const need of NEEDS[type]) {
    if (op[need] === undefined) throw invalid(`${where}: a ${type} operation needs "${need}"`, where);
  }
  return op;
}

/** The value of a `value[x]` part, or of a part-built complex value (`part` children by name). */
function readValue(part: Part, where: string): PatchValue {
  const keys = Object.keys(part).filter((k) => k.startsWith('value') && k.length > 5);
  if (keys.length > 1) throw invalid(`${where} has several value[x]`, where);
  if (keys.length === 1) {
    const suffix = keys[0].slice(5);
    const lower = suffix.charAt(0).toLowerCase() + suffix.slice(1);
    return { json: part[keys[0]], type: PRIMITIVES.has(lower) ? lower : suffix };
  }
  if (Array.isArray(part.part)) return { json: fromParts(part.part as Part[], where) };
  throw invalid(`${where} needs value[x] or parts`, where);
}

/** Builds an object from named parts; a name given twice becomes a list. */
function fromParts(parts: Part[], where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of parts) {
    if (!p || typeof p.name !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(p.name)) throw invalid(`${where}: every part needs an element name`, where);
    const v = readValue(p, `${where}.part(${p.name})`).json;
    const existing = Object.hasOwn(out, p.name) ? out[p.name] : undefined;
    out[p.name] = existing === undefined ? v : Array.isArray(existing) ? [...existing, v] : [existing, v];
  }
  return out;
}

function primitive(part: Part | undefined, keys: string[]): unknown {
  if (!part) return undefined;
  for (const k of keys) if (k in part) return part[k];
  return undefined;
}

function invalid(message: string, expression?: string): FhirError {
  return new FhirError('invalid', [issue('invalid', message, expression)]);
}

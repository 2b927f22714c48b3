/**
 * The terminology operations, answered from the terminology store every practice shares:
 * `ValueSet/$expand` (a type-ahead over a value set's concepts) and `CodeSystem/$lookup` (one
 * concept's names and properties). Both take their parameters from the query or, on POST, from a
 * Parameters body. The instance forms (`ValueSet/[id]/$expand`, `CodeSystem/[id]/$lookup`) name
 * the value set or code system by the id Heron gives it.
 * @see https://hl7.org/fhir/R4/valueset-operation-expand.html
 * @see https://hl7.org/fhir/R4/codesystem-operation-lookup.html
 */
import { randomUUID } from 'node:crypto';
import type { CodeSystem, Parameters, ParametersParameter, ValueSet, ValueSetExpansionContains } from '@medplum/fhirtypes';
import type { Ctx } from '../../../domain/context.ts';
import { errors } from '../../../fhir/outcome.ts';
import { parseFilter } from '../../../fhir/terminology/words.ts';
import type { TermResource } from '../../../store/terminology.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';

/** Concepts per expansion when `count` is not given, and the most one may ask for. */
export const EXPAND_DEFAULT_COUNT = 20;
export const EXPAND_MAX_COUNT = 1000;
/** Deepest `offset`: a type-ahead pages a few times, not through a whole code system. */
export const EXPAND_MAX_OFFSET = 10_000;

const EXPAND_PARAMETERS = new Set(['url', 'filter', 'count', 'offset', 'includeDesignations', 'activeOnly', 'displayLanguage', 'excludeNested']);
const LOOKUP_PARAMETERS = new Set(['system', 'code', 'version', 'coding', 'property', 'displayLanguage', 'date']);

/** `GET|POST ValueSet/$expand?url=…&filter=…&count=…&offset=…`, or `ValueSet/[id]/$expand`. */
export async function expand(ctx: Ctx, req: FhirRequest, id?: string): Promise<FhirResponse> {
  const params = operationParameters(req, EXPAND_PARAMETERS, '$expand');
  const url = params.get('url');
  let stored: TermResource | undefined;
  if (id !== undefined) {
    if (url !== undefined) throw errors.invalid('ValueSet/[id]/$expand names the value set by its id: leave out url', 'url');
    stored = await ctx.store.terminology.getResource('ValueSet', { id });
    if (stored === undefined) throw errors.notFound(`There is no value set with id ${JSON.stringify(id)}; see docs/terminology.md for the value sets Heron has`);
  } else {
    if (url === undefined || url === '') throw errors.invalid('$expand needs the url of a value set (url=…), or use ValueSet/[id]/$expand', 'url');
    // A version after `|` is accepted and not checked: each value set has one current version.
    const canonical = url.split('|')[0];
    stored = await ctx.store.terminology.getResource('ValueSet', { url: canonical });
    if (stored === undefined) throw errors.notFound(`There is no value set ${JSON.stringify(canonical)}; see docs/terminology.md for the value sets Heron has`);
  }
  const count = integerParameter(params, 'count', EXPAND_DEFAULT_COUNT, EXPAND_MAX_COUNT);
  const offset = integerParameter(params, 'offset', 0, EXPAND_MAX_OFFSET);
  const designations = booleanParameter(params, 'includeDesignations');
  const filterText = params.get('filter') ?? '';
  const filter = parseFilter(filterText);
  // A filter with no letter or digit ("-", "(") can match no word; an empty one means no filter.
  const page =
    filterText.trim() !== '' && filter === undefined ? { total: 0, concepts: [] } : await ctx.store.terminology.expand(stored.url, filter, { offset, count });

  const valueSet = JSON.parse(stored.content) as ValueSet;
  const expansionParameters: NonNullable<ValueSet['expansion']>['parameter'] = [];
  if (filterText !== '') expansionParameters.push({ name: 'filter', valueString: filterText });
  expansionParameters.push({ name: 'count', valueInteger: count }, { name: 'offset', valueInteger: offset });
  if (designations) expansionParameters.push({ name: 'includeDesignations', valueBoolean: true });
  const body: ValueSet = {
    resourceType: 'ValueSet',
    id: valueSet.id,
    url: valueSet.url,
    name: valueSet.name,
    title: valueSet.title,
    status: valueSet.status,
    expansion: {
      identifier: `urn:uuid:${randomUUID()}`,
      timestamp: new Date().toISOString(),
      // Absent when the store did not count (too many to count cheaply); R4 makes total optional.
      ...(page.total === undefined ? {} : { total: page.total }),
      offset,
      parameter: expansionParameters,
      contains: page.concepts.map((c) => {
        const entry: ValueSetExpansionContains = { system: c.system, code: c.code, display: c.display };
        if (designations && c.designations !== undefined) entry.designation = c.designations.map((value) => ({ value }));
        return entry;
      }),
    },
  };
  if (body.expansion?.contains?.length === 0) delete body.expansion.contains;
  return { status: 200, body };
}

/** `GET|POST CodeSystem/$lookup?system=…&code=…`, or `CodeSystem/[id]/$lookup?code=…`. */
export async function lookup(ctx: Ctx, req: FhirRequest, id?: string): Promise<FhirResponse> {
  const params = operationParameters(req, LOOKUP_PARAMETERS, '$lookup');
  let system = params.get('system');
  let code = params.get('code');
  const coding = params.coding;
  if (coding !== undefined) {
    if (system !== undefined || code !== undefined) throw errors.invalid('Give either coding or system and code, not both', 'coding');
    system = coding.system;
    code = coding.code;
  }
  let stored: TermResource | undefined;
  if (id !== undefined) {
    stored = await ctx.store.terminology.getResource('CodeSystem', { id });
    if (stored === undefined) throw errors.notFound(`There is no code system with id ${JSON.stringify(id)}`);
    if (system !== undefined && system !== stored.url) throw errors.invalid(`CodeSystem/${id} is ${stored.url}, not ${system}`, 'system');
  } else {
    if (system === undefined || system === '') throw errors.invalid('$lookup needs the code system (system=…) and the code (code=…)', 'system');
    stored = await ctx.store.terminology.getResource('CodeSystem', { url: system });
    if (stored === undefined) throw errors.notFound(`The code system ${JSON.stringify(system)} is not loaded; see docs/terminology.md`);
  }
  if (code === undefined || code === '') throw errors.invalid('$lookup needs the code (code=…)', 'code');
  const concept = await ctx.store.terminology.lookup(stored.url, code);
  if (concept === undefined) throw errors.notFound(`${stored.url} has no code ${JSON.stringify(code)} (among the concepts loaded)`);

  const codeSystem = JSON.parse(stored.content) as CodeSystem;
  const parameter: ParametersParameter[] = [{ name: 'name', valueString: codeSystem.name ?? codeSystem.title ?? stored.url }];
  if (codeSystem.version !== undefined) parameter.push({ name: 'version', valueString: codeSystem.version });
  parameter.push({ name: 'display', valueString: concept.display });
  for (const value of concept.designations ?? []) parameter.push({ name: 'designation', part: [{ name: 'value', valueString: value }] });
  const property = (name: string, value: ParametersParameter): ParametersParameter => ({ name: 'property', part: [{ name: 'code', valueCode: name }, { ...value, name: 'value' }] });
  parameter.push(property('inactive', { name: 'value', valueBoolean: concept.inactive === true }));
  if (concept.kind !== undefined) parameter.push(property('kind', { name: 'value', valueCode: concept.kind }));
  for (const [name, value] of Object.entries(concept.properties ?? {})) parameter.push(property(name, { name: 'value', valueString: value }));
  const body: Parameters = { resourceType: 'Parameters', parameter };
  return { status: 200, body };
}

/** An operation's parameters from the query, or from a Parameters body on POST (not both). */
interface OperationParameters {
  get(name: string): string | undefined;
  coding?: { system?: string; code?: string };
}

function operationParameters(req: FhirRequest, known: ReadonlySet<string>, operation: string): OperationParameters {
  const values = new Map<string, string>();
  let coding: OperationParameters['coding'];
  const add = (name: string, value: string) => {
    if (!known.has(name)) throw errors.invalid(`${operation} has no parameter ${JSON.stringify(name)}; it takes ${[...known].join(', ')}`, name);
    if (values.has(name)) throw errors.invalid(`${operation} takes ${name} once`, name);
    values.set(name, value);
  };
  for (const [name, value] of req.query) {
    // `_format`, `_pretty`… are the HTTP layer's.
    if (!name.startsWith('_')) add(name, value);
  }
  if (req.body !== undefined) {
    const body = req.body as Parameters;
    if (body === null || typeof body !== 'object' || body.resourceType !== 'Parameters') throw errors.invalid(`POST ${operation} takes a Parameters resource`);
    if (values.size > 0) throw errors.invalid(`Give the parameters of ${operation} in the Parameters body or in the URL, not both`);
    for (const p of body.parameter ?? []) {
      if (p.name === 'coding' && known.has('coding')) {
        coding = { system: p.valueCoding?.system, code: p.valueCoding?.code };
        continue;
      }
      const value = p.valueString ?? p.valueUri ?? p.valueCode ?? p.valueCanonical ?? p.valueInteger ?? p.valueBoolean;
      if (value === undefined) throw errors.invalid(`Parameter ${JSON.stringify(p.name)} of ${operation} has no value of a type it takes`, p.name);
      add(p.name, String(value));
    }
  }
  if (values.has('coding')) throw errors.invalid('coding is a Coding: send it in a Parameters body (POST), or use system and code', 'coding');
  return { get: (name) => values.get(name), coding };
}

function integerParameter(params: OperationParameters, name: string, fallback: number, max: number): number {
  const text = params.get(name);
  if (text === undefined) return fallback;
  if (!/^\d{1,9}$/.test(text)) throw errors.invalid(`${name} must be a whole number from 0 to ${max}, not ${JSON.stringify(text)}`, name);
  const value = Number(text);
  if (value > max) throw errors.invalid(`${name} must be at most ${max}`, name);
  return value;
}

function booleanParameter(params: OperationParameters, name: string): boolean {
  const text = params.get(name);
  if (text === undefined || text === 'false') return false;
  if (text === 'true') return true;
  throw errors.invalid(`${name} must be true or false, not ${JSON.stringify(text)}`, name);
}

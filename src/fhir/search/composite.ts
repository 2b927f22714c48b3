/**
 * Composite search values: `first$second`, each part parsed by its component's own type, so
 * `code-value-quantity=http://loinc.org|8480-6$gt100` is a token and a quantity (converted to
 * UCUM base units like any quantity query). Rows come from extract.ts, which pairs component
 * values found in the same element.
 * @see https://hl7.org/fhir/R4/search.html#composite
 */
import { FhirError, issue } from '../outcome.ts';
import { parseDateQuery } from './date.ts';
import { splitUnescaped, unescapeSearch } from './escape.ts';
import { parseNumberQuery } from './number.ts';
import { compositeComponents } from './parameters.ts';
import type { ComponentDef } from './parameters.ts';
import { parseQuantityQuery } from './quantity.ts';
import { parseReferenceQuery } from './reference.ts';
import { parseStringQuery } from './string.ts';
import { parseTokenValue } from './token.ts';
import type { SearchValue, ValueSearch } from './types.ts';
import { parseUriQuery } from './uri.ts';

/** Parses one (comma-separated) value of composite parameter `param`. */
export function parseCompositeQuery(raw: string, param: string): SearchValue {
  const components = compositeComponents(param);
  if (!components) throw new FhirError('invalid', [issue('not-supported', `Composite search parameter "${param}" is not supported`)]);
  const parts = splitUnescaped(raw, '$');
  const shape = components.map((c) => c.code).join('$');
  if (parts.length !== components.length || parts.some((p) => p.length === 0)) {
    throw new FhirError('invalid', [
      issue('invalid', `Invalid value "${raw}" for composite parameter "${param}": expected ${shape}, e.g. ${example(components)}`),
    ]);
  }
  const label = (c: ComponentDef): string => `${param} (component ${c.code})`;
  const first = parseTokenValue(parts[0], label(components[0]));
  return { kind: 'composite', first, second: parseComponent(components[1], parts[1], label(components[1])) };
}

function parseComponent(c: ComponentDef, raw: string, label: string): ValueSearch {
  switch (c.type) {
    case 'token':
      return parseTokenValue(raw, label);
    case 'quantity':
      return parseQuantityQuery(raw, label);
    case 'date':
      return parseDateQuery(raw, label);
    case 'number':
      return parseNumberQuery(raw, label);
    case 'string':
      return parseStringQuery(unescapeSearch(raw), undefined, label);
    case 'reference':
      return parseReferenceQuery(unescapeSearch(raw), undefined, label, c.target);
    case 'uri':
      return parseUriQuery(raw, label);
    default:
      throw new FhirError('invalid', [issue('not-supported', `Component ${c.code} (${c.type}) of ${label} is not supported`)]);
  }
}

const EXAMPLES: Partial<Record<ComponentDef['type'], string>> = {
  token: 'http://loinc.org|8480-6',
  quantity: 'gt100|http://unitsofmeasure.org|mm[Hg]',
  date: 'ge2020-01-01',
  number: 'gt5',
  string: 'text',
  reference: 'Type/id',
  uri: 'http://example.org',
};

function example(components: ComponentDef[]): string {
  return components.map((c) => EXAMPLES[c.type] ?? c.code).join('$');
}

/**
 * A small hand-written indexer for the conformance suite, so the store is tested on its own
 * terms (not through the FHIR extractor). It covers a handful of parameters of every kind on
 * Patient, Observation, Organization, Encounter, RiskAssessment, ValueSet, Provenance and
 * DocumentReference, and the rows beside a parameter's own: composites, canonical UCUM
 * quantities (from a small unit table), `subject:identifier` and `identifier:of-type`.
 */
import type { CodeableConcept, Coding, Identifier, Quantity, Reference, Resource } from '@medplum/fhirtypes';
import type { IndexRow, QuantityRow, TokenRow, ValueRow } from '../../fhir/search/types.ts';
import type { Indexer } from '../store.ts';

/** Lower-case, accents removed: the normalisation the suite's string searches assume. */
export function normalise(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/** The [start, end] ms range a FHIR date/dateTime/instant covers at its precision. */
export function dateRange(value: string): { start: number; end: number } {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value);
  if (!m) {
    const t = Date.parse(value);
    return { start: t, end: t };
  }
  const [, y, mo, d] = m;
  const start = Date.UTC(Number(y), mo ? Number(mo) - 1 : 0, d ? Number(d) : 1);
  const next = d ? Date.UTC(Number(y), Number(mo) - 1, Number(d) + 1) : mo ? Date.UTC(Number(y), Number(mo), 1) : Date.UTC(Number(y) + 1, 0, 1);
  return { start, end: next - 1 };
}

/** Half a unit of the last written decimal place on each side: 0.5 covers [0.45, 0.55]. */
export function precision(value: number): { low: number; high: number } {
  const decimals = (String(value).split('.')[1] ?? '').length;
  const half = 0.5 * 10 ** -decimals;
  return { low: value - half, high: value + half };
}

export const UCUM = 'http://unitsofmeasure.org';

/** The units the suite uses: factor to the base unit, and its code (as the FHIR side writes it). */
export const TEST_UNITS: Record<string, { factor: number; base: string }> = {
  mg: { factor: 0.001, base: 'g' },
  g: { factor: 1, base: 'g' },
  kg: { factor: 1000, base: 'g' },
  'mm[Hg]': { factor: 133322, base: 'g.m-1.s-2' },
};

function quantityRow(param: string, q: Quantity | undefined): QuantityRow | undefined {
  if (q?.value === undefined) return undefined;
  return { kind: 'quantity', param, value: q.value, ...precision(q.value), system: q.system ?? null, code: q.code ?? null, unit: q.unit ?? null };
}

/** The row in base units of a UCUM quantity in `TEST_UNITS`. */
function canonicalRow(row: QuantityRow): QuantityRow | undefined {
  const unit = row.system === UCUM && row.code !== null ? TEST_UNITS[row.code] : undefined;
  if (!unit) return undefined;
  const c = (n: number): number => Number((n * unit.factor).toPrecision(15));
  return { ...row, param: row.param + ':canonical', value: c(row.value), low: c(row.low), high: c(row.high), code: unit.base, unit: null };
}

function tokenRows(param: string, cc: CodeableConcept | undefined): TokenRow[] {
  return (cc?.coding ?? []).map((c) => ({ kind: 'token', param, system: c.system ?? null, code: c.code ?? null, text: null }));
}

/** Composite rows: every pair of first and second component rows of one element. */
function composite(rows: IndexRow[], param: string, firsts: TokenRow[], seconds: ValueRow[]): void {
  for (const first of firsts) {
    for (const second of seconds) {
      const row: IndexRow = { kind: 'composite', param, first, second };
      const canonical = second.kind === 'quantity' ? canonicalRow(second) : undefined;
      if (canonical) row.canonical = canonical;
      rows.push(row);
    }
  }
}

export const testIndexer: Indexer = (resource) => {
  const rows: IndexRow[] = [];
  const str = (param: string, value: string | undefined): void => {
    if (value) rows.push({ kind: 'string', param, value: normalise(value), exact: value });
  };
  const token = (param: string, system: string | undefined, code: string | undefined, text?: string): void => {
    if (system || code) rows.push({ kind: 'token', param, system: system ?? null, code: code ?? null, text: text ? normalise(text) : null });
  };
  const coding = (param: string, c: Coding | Identifier, text?: string): void => {
    token(param, c.system, 'code' in c ? c.code : (c as Identifier).value, ('display' in c ? c.display : undefined) ?? text);
  };
  const ref = (param: string, r: Reference | undefined): void => {
    const m = r?.reference ? /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(r.reference) : null;
    if (m) rows.push({ kind: 'reference', param, targetType: m[1], targetId: m[2], url: null });
    else if (r?.reference) rows.push({ kind: 'reference', param, targetType: null, targetId: null, url: r.reference });
  };
  const date = (param: string, value: string | undefined): void => {
    if (value) rows.push({ kind: 'date', param, ...dateRange(value) });
  };
  for (const tag of resource.meta?.tag ?? []) coding('_tag', tag);
  if (resource.meta?.lastUpdated) date('_lastUpdated', resource.meta.lastUpdated);
  indexByType(resource, { str, token, coding, ref, date, rows });
  return rows;
};

interface Add {
  str(param: string, value: string | undefined): void;
  token(param: string, system: string | undefined, code: string | undefined, text?: string): void;
  coding(param: string, c: Coding | Identifier, text?: string): void;
  ref(param: string, r: Reference | undefined): void;
  date(param: string, value: string | undefined): void;
  rows: IndexRow[];
}

function indexByType(resource: Resource, add: Add): void {
  switch (resource.resourceType) {
    case 'Patient':
      for (const name of resource.name ?? []) {
        for (const part of [...(name.given ?? []), name.family, name.text]) add.str('name', part);
        add.str('family', name.family);
      }
      for (const id of resource.identifier ?? []) {
        add.coding('identifier', id);
        for (const t of id.type?.coding ?? []) if (t.code && id.value) add.token('identifier:of-type', t.system, `${t.code}|${id.value}`);
      }
      add.token('gender', undefined, resource.gender);
      if (resource.active !== undefined) add.token('active', undefined, String(resource.active));
      add.date('birthdate', resource.birthDate);
      for (const gp of resource.generalPractitioner ?? []) add.ref('general-practitioner', gp);
      add.ref('organization', resource.managingOrganization);
      break;
    case 'Observation':
      for (const c of resource.code?.coding ?? []) add.coding('code', c, resource.code?.text);
      add.token('status', undefined, resource.status);
      add.ref('subject', resource.subject);
      if (resource.subject?.identifier?.value) add.token('subject:identifier', resource.subject.identifier.system, resource.subject.identifier.value);
      if (resource.subject?.reference?.startsWith('Patient/')) add.ref('patient', resource.subject);
      add.ref('encounter', resource.encounter);
      add.date('date', resource.effectiveDateTime);
      indexObservationValues(resource, add.rows);
      break;
    case 'DocumentReference':
      for (const r of resource.relatesTo ?? []) {
        const target = /^([A-Z][A-Za-z]+)\/(.+)$/.exec(r.target.reference ?? '');
        if (!target) continue;
        const first: TokenRow = { kind: 'token', param: '', system: 'http://hl7.org/fhir/document-relationship-type', code: r.code, text: null };
        composite(add.rows, 'relationship', [first], [{ kind: 'reference', param: '', targetType: target[1], targetId: target[2], url: null }]);
      }
      break;
    case 'Organization':
      add.str('name', resource.name);
      for (const id of resource.identifier ?? []) add.coding('identifier', id);
      add.ref('partof', resource.partOf);
      break;
    case 'Encounter':
      add.ref('subject', resource.subject);
      if (resource.subject?.reference?.startsWith('Patient/')) add.ref('patient', resource.subject);
      add.ref('service-provider', resource.serviceProvider);
      break;
    case 'RiskAssessment':
      add.ref('subject', resource.subject);
      for (const p of resource.prediction ?? []) {
        if (p.probabilityDecimal !== undefined) add.rows.push({ kind: 'number', param: 'probability', value: p.probabilityDecimal, ...precision(p.probabilityDecimal) });
      }
      break;
    case 'ValueSet':
      if (resource.url) add.rows.push({ kind: 'uri', param: 'url', value: resource.url });
      add.str('name', resource.name);
      break;
    case 'Provenance':
      for (const t of resource.target ?? []) add.ref('target', t);
      break;
  }
}

/**
 * Observation values, plain and in composites: `value-quantity` (with canonical rows),
 * `code-value-quantity|concept|date|string` on the Observation, `component-code-value-quantity`
 * per component. `valueInteger` stands in for a number and `valueString` starting `urn:` for a
 * uri second component (`code-value-number`, `code-value-uri`, which R4 does not have), so every
 * column of idx_composite is searched.
 */
function indexObservationValues(obs: Extract<Resource, { resourceType: 'Observation' }>, rows: IndexRow[]): void {
  const quantity = quantityRow('value-quantity', obs.valueQuantity);
  if (quantity) {
    rows.push(quantity);
    const canonical = canonicalRow(quantity);
    if (canonical) rows.push(canonical);
  }
  const codes = tokenRows('', obs.code);
  const second = (row: ValueRow | undefined): ValueRow[] => (row ? [{ ...row, param: '' }] : []);
  composite(rows, 'code-value-quantity', codes, second(quantity));
  composite(rows, 'code-value-concept', codes, tokenRows('', obs.valueCodeableConcept));
  if (obs.valueDateTime) composite(rows, 'code-value-date', codes, [{ kind: 'date', param: '', ...dateRange(obs.valueDateTime) }]);
  if (obs.valueString?.startsWith('urn:')) composite(rows, 'code-value-uri', codes, [{ kind: 'uri', param: '', value: obs.valueString }]);
  else if (obs.valueString) composite(rows, 'code-value-string', codes, [{ kind: 'string', param: '', value: normalise(obs.valueString), exact: obs.valueString }]);
  if (obs.valueInteger !== undefined) composite(rows, 'code-value-number', codes, [{ kind: 'number', param: '', value: obs.valueInteger, ...precision(obs.valueInteger) }]);
  for (const c of obs.component ?? []) {
    composite(rows, 'component-code-value-quantity', tokenRows('', c.code), second(quantityRow('', c.valueQuantity)));
  }
}

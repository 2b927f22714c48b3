/**
 * A small hand-written indexer for the conformance suite, so the store is tested on its own
 * terms (not through the FHIR extractor). It covers a handful of parameters of every kind on
 * Patient, Observation, Organization, Encounter, RiskAssessment, ValueSet and Provenance.
 */
import type { Coding, Identifier, Reference, Resource } from '@medplum/fhirtypes';
import type { IndexRow } from '../../fhir/search/types.ts';
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
      for (const id of resource.identifier ?? []) add.coding('identifier', id);
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
      if (resource.subject?.reference?.startsWith('Patient/')) add.ref('patient', resource.subject);
      add.ref('encounter', resource.encounter);
      add.date('date', resource.effectiveDateTime);
      if (resource.valueQuantity?.value !== undefined) {
        const q = resource.valueQuantity;
        const value = q.value as number;
        add.rows.push({ kind: 'quantity', param: 'value-quantity', value, ...precision(value), system: q.system ?? null, code: q.code ?? null, unit: q.unit ?? null });
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

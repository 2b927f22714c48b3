/** Builders for the conformance suite: search requests, criteria and resources. */
import type { Resource } from '@medplum/fhirtypes';
import type { Prefix, SearchCriterion, SearchRequest, SearchValue, SortKey } from '../../fhir/search/types.ts';
import type { StoreTransaction, StoredVersion } from '../store.ts';
import { dateRange, normalise, precision } from './test-indexer.ts';

export function searchRequest(types: string | string[], criteria: SearchCriterion[] = [], o: Partial<SearchRequest> = {}): SearchRequest {
  return {
    resourceTypes: Array.isArray(types) ? types : [types],
    criteria,
    sort: [],
    count: 100,
    total: 'accurate',
    include: [],
    revinclude: [],
    ...o,
  };
}

export const criterion = {
  string: (param: string, values: string[], modifier?: string): SearchCriterion => ({
    param,
    type: 'string',
    modifier,
    values: values.map((v): SearchValue => ({ kind: 'string', value: modifier === 'exact' ? v : normalise(v) })),
  }),
  token: (param: string, values: { system?: string | null; code?: string }[], modifier?: string): SearchCriterion => ({
    param,
    type: 'token',
    modifier,
    values: values.map((v): SearchValue => ({ kind: 'token', ...v })),
  }),
  reference: (param: string, values: { targetType?: string; targetId?: string; url?: string }[]): SearchCriterion => ({
    param,
    type: 'reference',
    values: values.map((v): SearchValue => ({ kind: 'reference', ...v })),
  }),
  date: (param: string, prefix: Prefix, value: string): SearchCriterion => ({
    param,
    type: 'date',
    values: [{ kind: 'date', prefix, ...dateRange(value) }],
  }),
  number: (param: string, prefix: Prefix, value: number): SearchCriterion => ({
    param,
    type: 'number',
    values: [{ kind: 'number', prefix, value, ...precision(value) }],
  }),
  quantity: (param: string, prefix: Prefix, value: number, unit: { system?: string | null; code?: string } = {}): SearchCriterion => ({
    param,
    type: 'quantity',
    values: [{ kind: 'quantity', prefix, value, ...precision(value), ...unit }],
  }),
  uri: (param: string, value: string, modifier?: string): SearchCriterion => ({ param, type: 'uri', modifier, values: [{ kind: 'uri', value }] }),
  missing: (param: string, type: SearchCriterion['type'], missing: boolean): SearchCriterion => ({
    param,
    type,
    modifier: 'missing',
    values: [{ kind: 'missing', missing }],
  }),
};

export function sortBy(param: string, type: SortKey['type'], descending = false): SortKey {
  return { param, type, descending };
}

/** Creates (or updates) a resource with `method` PUT and returns the stored version. */
export function put(tx: StoreTransaction, resource: Resource & { id: string }, expectedVersion?: number): Promise<StoredVersion> {
  return tx.writeVersion({ resourceType: resource.resourceType, id: resource.id, method: 'PUT', resource, expectedVersion });
}

export function remove(tx: StoreTransaction, resourceType: string, id: string): Promise<StoredVersion> {
  return tx.writeVersion({ resourceType, id, method: 'DELETE' });
}

export function patient(id: string, o: { family?: string; given?: string[]; birthDate?: string; gender?: 'male' | 'female'; identifier?: string; org?: string } = {}): Resource & { id: string } {
  const p: Resource & { id: string } = { resourceType: 'Patient', id };
  if (o.family || o.given) p.name = [{ family: o.family, given: o.given }];
  if (o.birthDate) p.birthDate = o.birthDate;
  if (o.gender) p.gender = o.gender;
  if (o.identifier) p.identifier = [{ system: 'urn:mrn', value: o.identifier }];
  if (o.org) p.managingOrganization = { reference: `Organization/${o.org}` };
  return p;
}

export function observation(id: string, o: { code?: string; system?: string; display?: string; subject?: string; value?: number; unit?: string; date?: string; encounter?: string } = {}): Resource & { id: string } {
  const obs: Resource & { id: string } = { resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: o.system ?? 'http://loinc.org', code: o.code ?? '1234-5', display: o.display }] } };
  if (o.subject) obs.subject = { reference: o.subject };
  if (o.encounter) obs.encounter = { reference: o.encounter };
  if (o.value !== undefined) obs.valueQuantity = { value: o.value, unit: o.unit ?? 'mg', system: 'http://unitsofmeasure.org', code: o.unit ?? 'mg' };
  if (o.date) obs.effectiveDateTime = o.date;
  return obs;
}

export function ids(resources: readonly Resource[]): string[] {
  return resources.map((r) => r.id as string);
}

export function sorted(values: string[]): string[] {
  return [...values].sort();
}

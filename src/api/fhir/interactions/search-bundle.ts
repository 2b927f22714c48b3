/**
 * The Bundles that search and history return: `searchset` (matches, includes and an outcome
 * entry for warnings) and `history` (one entry per version, deletes included). Paging links
 * carry the store's opaque `_cursor`, so a page is found again without offset scans.
 * @see https://hl7.org/fhir/R4/bundle.html
 * @see https://hl7.org/fhir/R4/http.html#paging
 */
import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import type { HistoryPage, SearchPage, StoredVersion } from '../../../store/store.ts';
import { type Issue, operationOutcome } from '../../../fhir/outcome.ts';
import { etagOf } from './version-response.ts';

/** The URL of a search or history page: `<base>/<path>?<query>[&_cursor=…]`. */
export function pageUrl(baseUrl: string, path: string, query: URLSearchParams, cursor?: string): string {
  const params = new URLSearchParams(query);
  params.delete('_cursor');
  if (cursor !== undefined) params.set('_cursor', cursor);
  const search = params.toString();
  const target = path === '' ? baseUrl : `${baseUrl}/${path}`;
  return search === '' ? target : `${target}?${search}`;
}

export interface SearchsetInput {
  baseUrl: string;
  /** Path of the search relative to the base: `Patient` or `` for system search. */
  path: string;
  /** The query of this page, without `_cursor`. */
  query: URLSearchParams;
  /** The cursor of this page, if it is not the first. */
  cursor?: string;
  page: SearchPage;
  warnings: Issue[];
  /** Reshapes each returned resource (`_summary`, `_elements`); identity when absent. */
  shape?: (resource: Resource) => Resource;
  /** `_summary=count`: only the total. */
  countOnly?: boolean;
}

export function searchsetBundle(input: SearchsetInput): Bundle {
  const { baseUrl, path, query, page, shape } = input;
  const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset' };
  if (page.total !== undefined) bundle.total = page.total;
  const link: BundleLink[] = [{ relation: 'self', url: pageUrl(baseUrl, path, query, input.cursor) }];
  if (!input.countOnly) {
    if (page.nextCursor !== undefined) link.push({ relation: 'next', url: pageUrl(baseUrl, path, query, page.nextCursor) });
    if (page.prevCursor !== undefined) link.push({ relation: 'previous', url: pageUrl(baseUrl, path, query, page.prevCursor) });
  }
  bundle.link = link;
  const entry: BundleEntry[] = [];
  if (!input.countOnly) {
    for (const r of page.resources) entry.push(searchEntry(baseUrl, shape ? shape(r) : r, 'match'));
    for (const r of page.included) entry.push(searchEntry(baseUrl, shape ? shape(r) : r, 'include'));
  }
  if (input.warnings.length > 0) entry.push({ resource: operationOutcome(input.warnings), search: { mode: 'outcome' } });
  if (entry.length > 0) bundle.entry = entry;
  return bundle;
}

function searchEntry(baseUrl: string, resource: Resource, mode: 'match' | 'include'): BundleEntry {
  return { fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}`, resource, search: { mode } };
}

export interface HistoryInput {
  baseUrl: string;
  path: string;
  query: URLSearchParams;
  cursor?: string;
  page: HistoryPage;
}

export function historyBundle(input: HistoryInput): Bundle {
  const { baseUrl, path, query, page } = input;
  const link: BundleLink[] = [{ relation: 'self', url: pageUrl(baseUrl, path, query, input.cursor) }];
  if (page.nextCursor !== undefined) link.push({ relation: 'next', url: pageUrl(baseUrl, path, query, page.nextCursor) });
  const bundle: Bundle = { resourceType: 'Bundle', type: 'history', total: page.total, link };
  if (page.entries.length > 0) bundle.entry = page.entries.map((v) => historyEntry(baseUrl, v));
  return bundle;
}

const STATUS_BY_METHOD: Record<StoredVersion['method'], string> = {
  POST: '201 Created',
  PUT: '200 OK',
  PATCH: '200 OK',
  DELETE: '204 No Content',
};

/** One version as a history entry: what request made it and what it answered. */
export function historyEntry(baseUrl: string, v: StoredVersion): BundleEntry {
  const entry: BundleEntry = { fullUrl: `${baseUrl}/${v.resourceType}/${v.id}` };
  if (!v.deleted && v.resource) entry.resource = v.resource;
  entry.request = { method: v.method, url: v.method === 'POST' ? v.resourceType : `${v.resourceType}/${v.id}` };
  entry.response = { status: STATUS_BY_METHOD[v.method], etag: etagOf(v.versionId), lastModified: v.lastUpdated };
  return entry;
}

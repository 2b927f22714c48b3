/**
 * What the importer sends and what it reports. Every input shape (transaction or batch Bundle,
 * collection Bundle, single resource, NDJSON lines) becomes one `ImportUnit`: a transaction or
 * batch Bundle that goes through `dispatch` exactly like a POST to the FHIR base over HTTP.
 */
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';

/** One Bundle to dispatch, with where it came from so errors can name file and line. */
export interface ImportUnit {
  file: string;
  bundle: Bundle;
  /** Source line of each entry, when known (NDJSON); index = entry index. */
  entryLines?: number[];
}

/** One thing that could not be imported. */
export interface ImportFailure {
  file: string;
  /** 1-based, when known. */
  line?: number;
  column?: number;
  message: string;
}

/** A reader yields units to import and failures it found while reading. */
export type ImportItem = { unit: ImportUnit } | { failure: ImportFailure };

/** An input that is not importable; carries no position (the caller knows the file and line). */
export class ImportProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportProblem';
  }
}

/** `file:line:column: message` (compiler style, so editors can jump to it) or `file: message`. */
export function formatFailure(failure: ImportFailure): string {
  const where = failure.line === undefined ? failure.file : `${failure.file}:${failure.line}${failure.column === undefined ? '' : ':' + failure.column}`;
  return `${where}: ${failure.message}`;
}

/**
 * The Bundle for one parsed JSON document. Transaction and batch Bundles go as they are; a
 * collection becomes a transaction of creates (POST keeps `fullUrl`, so references between its
 * entries are rewritten to the new ids); any other resource becomes a one-entry transaction.
 */
export function bundleForDocument(document: unknown): Bundle {
  const resource = asResource(document);
  if (resource.resourceType !== 'Bundle') return transactionOf([resource]);
  const bundle = resource as Bundle;
  switch (bundle.type) {
    case 'transaction':
    case 'batch':
      return bundle;
    case 'collection':
      return collectionAsTransaction(bundle);
    default:
      throw new ImportProblem(`Bundle.type "${bundle.type ?? '(missing)'}" cannot be imported; use transaction, batch or collection`);
  }
}

/**
 * A transaction that stores the given resources. A resource with an id is written with
 * `PUT Type/id` so that ids, and the references between NDJSON lines and files that use them,
 * survive the import (and importing the same file twice updates instead of duplicating);
 * a resource without an id is created with POST.
 */
export function transactionOf(resources: Resource[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((resource): BundleEntry => {
      if (resource.id) return { resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } };
      return { resource, request: { method: 'POST', url: resource.resourceType } };
    }),
  };
}

function collectionAsTransaction(bundle: Bundle): Bundle {
  const entries = (bundle.entry ?? []).map((entry, index): BundleEntry => {
    if (!entry.resource) throw new ImportProblem(`Bundle.entry[${index}] has no resource`);
    const resource = asResource(entry.resource, `Bundle.entry[${index}].resource`);
    const out: BundleEntry = { resource, request: { method: 'POST', url: resource.resourceType } };
    if (entry.fullUrl) out.fullUrl = entry.fullUrl;
    return out;
  });
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}

/** Checks the one thing the importer must know before dispatch: which resource type it is. */
export function asResource(value: unknown, where = 'the document'): Resource {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ImportProblem(`${where} is not a FHIR resource (expected a JSON object with "resourceType")`);
  }
  const type = (value as { resourceType?: unknown }).resourceType;
  if (typeof type !== 'string' || type === '') throw new ImportProblem(`${where} is not a FHIR resource (no "resourceType")`);
  return value as Resource;
}

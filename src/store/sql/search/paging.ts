/**
 * Keyset paging: a cursor holds the sort-key values of the row at a page boundary and a
 * direction, so the next (or previous) page is "rows after (before) these values" — stable
 * while other rows are inserted, and as cheap on page 1,000 as on page 1. Cursors are
 * base64url JSON and opaque to clients.
 */
import { errors } from '../../../fhir/outcome.ts';
import type { Binder } from './binder.ts';
import type { SortColumn } from './sort.ts';

export type KeyValue = string | number | null;

export interface PageCursor {
  /** `next`: rows after `values`; `prev`: rows before them. */
  dir: 'next' | 'prev';
  values: KeyValue[];
}

export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify({ d: cursor.dir === 'next' ? 'n' : 'p', k: cursor.values })).toString('base64url');
}

export function decodeCursor(text: string, keys: number): PageCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw errors.invalid('Invalid search page cursor');
  }
  const c = parsed as { d?: unknown; k?: unknown };
  const valid =
    (c.d === 'n' || c.d === 'p') &&
    Array.isArray(c.k) &&
    c.k.length === keys &&
    c.k.every((v) => v === null || typeof v === 'string' || typeof v === 'number');
  if (!valid) throw errors.invalid('Invalid search page cursor (the sort may have changed)');
  return { dir: c.d === 'n' ? 'next' : 'prev', values: c.k as KeyValue[] };
}

/**
 * Rows strictly after (`dir` next) or before (`dir` prev) the cursor in the order of
 * `columns`, with nulls last. Expanded to OR-of-ANDs because directions may be mixed.
 */
export function keysetSql(b: Binder, columns: readonly string[], sort: readonly SortColumn[], cursor: PageCursor): string {
  // The same condition again as a range on the first key, which a database can seek an index to
  // (an OR of terms it cannot): only where no null lies past the cursor. Bound first: it comes first.
  const first = cursor.values[0];
  const greater = (cursor.dir === 'next') !== sort[0].descending;
  const seek = first !== null && !(sort[0].nullable && cursor.dir === 'next') ? `${columns[0]} ${greater ? '>=' : '<='} ${b.bind(first)} AND ` : '';
  const terms: string[] = [];
  for (let i = 0; i < sort.length; i++) {
    // Nothing sorts after a null going forward (nulls are last).
    if (cursor.values[i] === null && cursor.dir === 'next') continue;
    const prefix: string[] = [];
    for (let j = 0; j < i; j++) {
      const v = cursor.values[j];
      prefix.push(v === null ? `${columns[j]} IS NULL` : `${columns[j]} = ${b.bind(v)}`);
    }
    prefix.push(strictly(b, columns[i], sort[i], cursor.values[i], cursor.dir));
    terms.push(prefix.length === 1 ? prefix[0] : `(${prefix.join(' AND ')})`);
  }
  if (terms.length === 0) return '1 = 0';
  return `${seek}(${terms.join(' OR ')})`;
}

/** One column strictly past the cursor value in the page direction. */
function strictly(b: Binder, column: string, sort: SortColumn, value: KeyValue, dir: PageCursor['dir']): string {
  const forward = dir === 'next';
  if (value === null) return `${column} IS NOT NULL`;
  const greater = forward !== sort.descending;
  const cmp = `${column} ${greater ? '>' : '<'} ${b.bind(value)}`;
  // Nulls sort last, so going forward past a value also reaches every null.
  return sort.nullable && forward ? `(${cmp} OR ${column} IS NULL)` : cmp;
}

/** ORDER BY for the page; reversed when reading a previous page backwards. */
export function orderSql(columns: readonly string[], sort: readonly SortColumn[], reversed: boolean): string {
  return sort
    .map((s, i) => {
      const descending = s.descending !== reversed;
      const nulls = s.nullable ? (reversed ? ' NULLS FIRST' : ' NULLS LAST') : '';
      return `${columns[i]} ${descending ? 'DESC' : 'ASC'}${nulls}`;
    })
    .join(', ');
}

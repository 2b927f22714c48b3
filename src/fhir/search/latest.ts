/**
 * The index rows behind `Observation/$lastn` (the last N observations per code of a patient):
 * for an Observation about a patient with an effective date, one `LATEST_PARAM` composite row per
 * pair of its codes and categories, holding the patient and the date as well. An index over them
 * (migration 0015) reads a patient's observations grouped by category and code, newest first,
 * so the latest of each code costs a few index rows however long the record is.
 *
 * Built from the rows the Observation's own parameters produced (`code`, `category`, `subject`,
 * `date`), so they agree with what a search of those parameters finds. Missing systems and codes
 * are stored as '' rather than null: the groups are walked with row-value comparisons, which a
 * null would make unknown.
 * @see https://hl7.org/fhir/R4/observation-operation-lastn.html
 */
import type { IndexRow, TokenRow } from './types.ts';
import { LATEST_PARAM } from './types.ts';

/** The `LATEST_PARAM` rows of an Observation whose other index rows are `rows`; none for other types. */
export function latestRows(resourceType: string, rows: readonly IndexRow[]): IndexRow[] {
  if (resourceType !== 'Observation') return [];
  const patients = new Set<string>();
  const codes: TokenRow[] = [];
  const categories: TokenRow[] = [];
  let at: { start: number; end: number } | undefined;
  for (const row of rows) {
    if (row.kind === 'reference' && row.param === 'subject' && row.targetType === 'Patient' && row.targetId !== null) patients.add(`Patient/${row.targetId}`);
    else if (row.kind === 'token' && row.code !== null && row.param === 'code') codes.push(token(row));
    else if (row.kind === 'token' && row.code !== null && row.param === 'category') categories.push(token(row));
    // The effective date; a Period's whole range, whose end orders it.
    else if (row.kind === 'date' && row.param === 'date' && at === undefined) at = { start: row.start, end: row.end };
  }
  if (patients.size === 0 || codes.length === 0 || at === undefined) return [];
  if (categories.length === 0) categories.push({ kind: 'token', param: '', system: '', code: '', text: null });
  const out: IndexRow[] = [];
  for (const subject of patients) {
    for (const code of codes) for (const category of categories) out.push({ kind: 'composite', param: LATEST_PARAM, first: code, second: category, subject, at });
  }
  return out;
}

function token(row: TokenRow): TokenRow {
  return { kind: 'token', param: '', system: row.system ?? '', code: row.code ?? '', text: null };
}

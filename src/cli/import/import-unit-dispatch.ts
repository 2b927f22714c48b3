/**
 * Sends one `ImportUnit` through `dispatch` and turns the outcome into counts and failures with
 * file and line. A Bundle from a JSON file is all-or-nothing, as its author wrote it. A chunk of
 * NDJSON lines is only grouped for speed, so when the transaction fails because of particular
 * entries, those lines are reported and the chunk is retried without them: one bad line does not
 * cost the other 499.
 */
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { dispatch } from '../../api/fhir/dispatch.ts';
import type { Ctx } from '../../domain/context.ts';
import { FhirError, type Issue } from '../../fhir/outcome.ts';
import type { ImportFailure, ImportUnit } from './import-unit.ts';

export interface UnitOutcome {
  imported: number;
  failures: ImportFailure[];
}

/** Retries of one NDJSON chunk without its failing lines; bounded so a systematic failure ends. */
const MAX_CHUNK_RETRIES = 20;

export async function importUnit(ctx: Ctx, unit: ImportUnit, baseUrl: string): Promise<UnitOutcome> {
  const entries = unit.bundle.entry ?? [];
  if (entries.length === 0) return { imported: 0, failures: [] };
  if (unit.bundle.type === 'batch') {
    try {
      return batchOutcome(unit, (await send(ctx, unit.bundle, baseUrl)).body as Bundle | undefined);
    } catch (error) {
      if (!(error instanceof FhirError)) return { imported: 0, failures: [crashFailure(unit, undefined, error)] };
      return { imported: 0, failures: error.issues.map((issue) => issueFailure(unit, error, issue, undefined, '')) };
    }
  }

  const lines = unit.entryLines;
  // Original entry index of each entry still in the chunk.
  let remaining = entries.map((_, index) => index);
  const failures: ImportFailure[] = [];
  for (let attempt = 0; ; attempt++) {
    const bundle: Bundle = { ...unit.bundle, entry: remaining.map((index) => entries[index] as BundleEntry) };
    try {
      await send(ctx, bundle, baseUrl);
      return { imported: remaining.length, failures };
    } catch (error) {
      if (!(error instanceof FhirError)) return { imported: 0, failures: [...failures, crashFailure(unit, remaining, error)] };
      const blamed = blamedEntries(error.issues, remaining);
      const retry = lines !== undefined && blamed.size > 0 && blamed.size < remaining.length && attempt < MAX_CHUNK_RETRIES;
      if (!retry) {
        const note = lines ? ` (transaction of ${rangeOf(remaining.map((i) => lines[i]))} rolled back)` : '';
        return { imported: 0, failures: [...failures, ...error.issues.map((issue) => issueFailure(unit, error, issue, remaining, note))] };
      }
      for (const issue of error.issues) failures.push(issueFailure(unit, error, issue, remaining, ' (line skipped)'));
      remaining = remaining.filter((index) => !blamed.has(index));
    }
  }
}

function send(ctx: Ctx, bundle: Bundle, baseUrl: string) {
  return dispatch(ctx, {
    method: 'POST',
    path: '',
    query: new URLSearchParams(),
    headers: { contentType: 'application/fhir+json', prefer: 'return=minimal' },
    body: bundle,
    baseUrl,
  });
}

/** A batch commits entries one by one: count the successes, report each failed entry. */
function batchOutcome(unit: ImportUnit, response: Bundle | undefined): UnitOutcome {
  const failures: ImportFailure[] = [];
  let imported = 0;
  (response?.entry ?? []).forEach((entry, index) => {
    const status = entry.response?.status ?? '';
    if (/^2\d\d/.test(status)) {
      imported++;
      return;
    }
    const outcome = entry.response?.outcome;
    const details = outcome?.resourceType === 'OperationOutcome' ? outcome.issue?.map((i) => i.diagnostics ?? i.code).join('; ') : undefined;
    failures.push(at(unit, index, `${status || 'no status'}${details ? ' ' + details : ''}`));
  });
  return { imported, failures };
}

/** Original indexes of the entries the issues name (`Bundle.entry[n]` refers to the sent bundle). */
function blamedEntries(issues: Issue[], remaining: number[]): Set<number> {
  const blamed = new Set<number>();
  for (const issue of issues) {
    const sent = sentIndexOf(issue);
    if (sent !== undefined && sent < remaining.length) blamed.add(remaining[sent]);
  }
  return blamed;
}

/** `Bundle.entry[3].resource.name` → 3: the entry an issue is about, if it names one. */
function sentIndexOf(issue: Issue): number | undefined {
  for (const text of [...(issue.expression ?? []), issue.diagnostics]) {
    const match = /entry\[(\d+)\]/.exec(text);
    if (match) return Number(match[1]);
  }
  return undefined;
}

function issueFailure(unit: ImportUnit, error: FhirError, issue: Issue, remaining: number[] | undefined, note: string): ImportFailure {
  const sent = sentIndexOf(issue);
  const index = sent === undefined ? undefined : remaining ? (remaining[sent] ?? sent) : sent;
  let expressions = issue.expression ?? [];
  // For an NDJSON line, "Bundle.entry[7].resource.gender" says less than "Patient.gender" next to the line number.
  const resourceType = index === undefined ? undefined : unit.bundle.entry?.[index]?.resource?.resourceType;
  if (unit.entryLines && resourceType) expressions = expressions.map((e) => e.replace(/^Bundle\.entry\[\d+\]\.resource\b/, resourceType));
  const message = `${error.category}: ${issue.diagnostics}${expressions.length > 0 ? ' at ' + expressions.join(', ') : ''}${note}`;
  return index === undefined ? { file: unit.file, message } : at(unit, index, message);
}

/** A failure at an entry: its line when known (NDJSON), else the entry index in the message. */
function at(unit: ImportUnit, index: number, message: string): ImportFailure {
  const line = unit.entryLines?.[index];
  if (line !== undefined) return { file: unit.file, line, message };
  return { file: unit.file, message: `Bundle.entry[${index}]: ${message}` };
}

/** Not a problem with the data (a bug or the database): still reported, with its stack. */
function crashFailure(unit: ImportUnit, remaining: number[] | undefined, error: unknown): ImportFailure {
  const lines = unit.entryLines && remaining ? `${rangeOf(remaining.map((i) => unit.entryLines![i]))} not imported: ` : '';
  return { file: unit.file, message: `${lines}${error instanceof Error ? (error.stack ?? error.message) : String(error)}` };
}

function rangeOf(lines: number[]): string {
  return lines.length === 1 ? `line ${lines[0]}` : `lines ${lines[0]}–${lines[lines.length - 1]}`;
}

/**
 * `heron audit report [--practice P] [filters] [--sort KEYS] [--csv | --json]`: prints the audit
 * report of one practice, one line per entry (CSV with a header, or one JSON object per line).
 * It is the FHIR AuditEvent search as the system user, through dispatch, so the flags mean
 * exactly what the search parameters mean and reading the trail here is recorded in it like any
 * other read of it. Output is written page by page, so a long trail never sits in memory.
 */
import { dispatch } from '../../api/fhir/dispatch.ts';
import { FHIR_BASE_PATH } from '../../api/fhir/routes.ts';
import type { ReportFormat } from '../../domain/audit/audit-report.ts';
import { storeAuditSink, type AuditSink } from '../../domain/audit/audit-sink.ts';
import { systemCtx } from '../../domain/context.ts';
import { FhirError } from '../../fhir/outcome.ts';
import type { FhirStore, Practice } from '../../store/store.ts';
import { UsageError } from '../config.ts';
import { resolvePractice } from '../practice-ref.ts';
import type { Terminal } from '../terminal.ts';

export interface AuditReportOptions {
  practice?: string;
  /** FHIR dates or date-times (`2026-11-01`, `2026-11-01T08:00:00Z`); both ends inclusive. */
  from?: string;
  to?: string;
  user?: string;
  patient?: string;
  /** An interaction (`read`, `delete`, …) or action codes (`C`, `R,U`, …). */
  action?: string;
  outcome?: string;
  /** `_sort` keys, e.g. `agent,-date`. */
  sort?: string;
  csv?: boolean;
  json?: boolean;
}

export async function auditReportCommand(deps: { store: FhirStore; terminal: Terminal; audit?: AuditSink }, options: AuditReportOptions): Promise<number> {
  if (options.csv && options.json) throw new UsageError('Give --csv or --json, not both');
  const practice = options.practice === undefined ? await onlyPractice(deps.store) : await resolvePractice(deps.store, options.practice);
  const query = new URLSearchParams();
  if (options.from !== undefined) query.append('date', `ge${options.from}`);
  if (options.to !== undefined) query.append('date', `le${options.to}`);
  if (options.user !== undefined) query.set('agent', options.user);
  if (options.patient !== undefined) query.set('patient', options.patient);
  if (options.action !== undefined) query.set(/^[CRUDE](,[CRUDE])*$/.test(options.action) ? 'action' : 'subtype', options.action);
  if (options.outcome !== undefined) {
    if (options.outcome !== 'success' && options.outcome !== 'failure') throw new UsageError(`--outcome is success or failure, not "${options.outcome}"`);
    query.set('outcome', options.outcome === 'success' ? '0' : '4');
  }
  if (options.sort !== undefined) query.set('_sort', options.sort);
  const format: ReportFormat = options.csv ? 'csv' : options.json ? 'ndjson' : 'text';

  const ctx = systemCtx(deps.store, practice.id, deps.audit ?? storeAuditSink(deps.store.audit));
  let response;
  try {
    response = await dispatch(ctx, { method: 'GET', path: 'AuditEvent', query, headers: {}, baseUrl: `http://localhost${FHIR_BASE_PATH}`, format });
  } catch (err) {
    // A value the search refuses came from a flag: that is wrong usage, not a failed report.
    if (err instanceof FhirError && err.category === 'invalid') throw new UsageError(err.message);
    throw err;
  }
  let entries = 0;
  for await (const part of response.stream!.parts) {
    for (const record of part.records) deps.terminal.out(record);
    entries += part.ids.length;
  }
  if (format === 'text') deps.terminal.err(`${entries} ${entries === 1 ? 'entry' : 'entries'} in ${practice.name} (${practice.id})`);
  return 0;
}

/** Without --practice, the report is of the one practice there is; with several, it must be named. */
async function onlyPractice(store: FhirStore): Promise<Practice> {
  const practices = await store.admin.listPractices();
  if (practices.length === 1) return practices[0];
  if (practices.length === 0) throw new UsageError('There is no practice yet, so there is no audit report');
  throw new UsageError(`There are ${practices.length} practices; name one with --practice (id or name)`);
}

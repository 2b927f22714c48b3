/**
 * The emergency-access review queue in SQL (tables from migration 0021): break-the-glass entries
 * of the audit trail, each with the review entry that judged it, if any. Both queries read the
 * partial index over break-the-glass entries only (its condition is written out literally so both
 * planners can use it), joined to the reviews by primary key.
 */
import type { AuditEntry, EmergencyAccessEntry, EmergencyAccessQuery } from '../audit-log.ts';
import { AUDIT_COLUMNS, appendAudit, fromRow, type AuditRow } from './audit.ts';
import { errors } from '../../fhir/outcome.ts';
import { stmt, type SqlConn, type TxConn } from './dialect.ts';

const FROM = `audit_events e LEFT JOIN audit_break_glass_reviews r ON r.tenant = e.tenant AND r.break_glass_seq = e.seq
  WHERE e.tenant = ? AND e.action = 'break-glass' AND e.outcome = 'success'`;
const REVIEWED = 'r.review_seq IS NOT NULL';
const UNREVIEWED = 'r.review_seq IS NULL';
const COUNT = { true: stmt(`SELECT COUNT(*) AS n FROM ${FROM} AND ${REVIEWED}`), false: stmt(`SELECT COUNT(*) AS n FROM ${FROM} AND ${UNREVIEWED}`) };
const REVIEW_OF = stmt('SELECT review_seq FROM audit_break_glass_reviews WHERE tenant = ? AND break_glass_seq = ?');
const INSERT_REVIEW = stmt('INSERT INTO audit_break_glass_reviews (tenant, break_glass_seq, review_seq) VALUES (?, ?, ?)');

export async function emergencyAccesses(conn: SqlConn, tenant: string, q: EmergencyAccessQuery): Promise<EmergencyAccessEntry[]> {
  const params: unknown[] = [tenant];
  let where = q.reviewed ? REVIEWED : UNREVIEWED;
  if (q.beforeSeq !== undefined) {
    where += ' AND e.seq < ?';
    params.push(q.beforeSeq);
  }
  params.push(q.count);
  const rows = await conn.all<AuditRow & { review_seq: number | string | null }>(`SELECT ${AUDIT_COLUMNS}, r.review_seq FROM ${FROM} AND ${where} ORDER BY e.seq DESC LIMIT ?`, params);
  return rows.map((row) => {
    const entry: EmergencyAccessEntry = fromRow(row);
    if (row.review_seq !== null) entry.reviewSeq = Number(row.review_seq);
    return entry;
  });
}

export async function countEmergencyAccesses(conn: SqlConn, tenant: string, reviewed: boolean): Promise<number> {
  const row = await conn.get<{ n: number | string }>(COUNT[reviewed ? 'true' : 'false'], [tenant]);
  return Number(row?.n ?? 0);
}

/**
 * The review entry and its row, in the caller's transaction. The entry is appended first: that
 * takes the practice's chain lock, so a second review of the same access waits for the first and
 * then finds its row (the primary key refuses it as well, should anything get past the look).
 */
export async function appendBreakGlassReview(conn: TxConn, breakGlassSeq: number, review: AuditEntry): Promise<number> {
  const [seq] = await appendAudit(conn, [review]);
  if ((await conn.get(REVIEW_OF, [review.tenant, breakGlassSeq])) !== undefined) throw errors.conflict(`The emergency access AuditEvent/${breakGlassSeq} has already been reviewed`);
  await conn.run(INSERT_REVIEW, [review.tenant, breakGlassSeq, seq]);
  return seq;
}

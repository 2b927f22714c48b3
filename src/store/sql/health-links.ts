/** SMART Health Links in SQL (tables from migration 0020). */
import type { HealthLink, HealthLinkAccess, HealthLinkStore } from '../health-links.ts';
import { stmt, type SqlDriver } from './dialect.ts';

const COLUMNS = 'id, tenant, patient, label, created_by, created_at, expires_at, passcode_hash, attempts_left, revoked_at, content';
const INSERT = stmt(`INSERT INTO health_links (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
const BY_ID = stmt(`SELECT ${COLUMNS} FROM health_links WHERE id = ?`);
const OF_PATIENT = stmt(`SELECT ${COLUMNS} FROM health_links WHERE tenant = ? AND patient = ? ORDER BY created_at DESC, id`);
const REVOKE = stmt('UPDATE health_links SET revoked_at = ? WHERE tenant = ? AND patient = ? AND id = ? AND revoked_at IS NULL');
const SPEND = stmt('UPDATE health_links SET attempts_left = attempts_left - 1 WHERE id = ? AND attempts_left > 0');
const ATTEMPTS = stmt('SELECT attempts_left FROM health_links WHERE id = ?');
const INSERT_ACCESS = stmt('INSERT INTO health_link_accesses (tenant, link_id, at, recipient, ip, outcome) VALUES (?, ?, ?, ?, ?, ?)');
const ACCESSES = stmt('SELECT at, recipient, ip, outcome FROM health_link_accesses WHERE tenant = ? AND link_id = ? ORDER BY at DESC');

interface Row {
  id: string;
  tenant: string;
  patient: string;
  label: string;
  created_by: string;
  created_at: number | string;
  expires_at: number | string;
  passcode_hash: string | null;
  attempts_left: number | string;
  revoked_at: number | string | null;
  content: string;
}

function linkOf(r: Row): HealthLink {
  return {
    tenant: r.tenant,
    id: r.id,
    patient: r.patient,
    label: r.label,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    ...(r.passcode_hash !== null ? { passcodeHash: r.passcode_hash } : {}),
    attemptsLeft: Number(r.attempts_left),
    ...(r.revoked_at !== null ? { revokedAt: Number(r.revoked_at) } : {}),
    content: r.content,
  };
}

export function sqlHealthLinks(driver: SqlDriver): HealthLinkStore {
  return {
    async create(l: HealthLink) {
      await driver.transaction((conn) => conn.run(INSERT, [l.id, l.tenant, l.patient, l.label, l.createdBy, l.createdAt, l.expiresAt, l.passcodeHash ?? null, l.attemptsLeft, l.revokedAt ?? null, l.content]));
    },
    async get(id) {
      const row = await driver.reader.get<Row>(BY_ID, [id]);
      return row === undefined ? undefined : linkOf(row);
    },
    async list(tenant, patient) {
      return (await driver.reader.all<Row>(OF_PATIENT, [tenant, patient])).map(linkOf);
    },
    async revoke(tenant, patient, id, at) {
      return (await driver.transaction((conn) => conn.run(REVOKE, [at, tenant, patient, id]))) > 0;
    },
    async spendAttempt(id) {
      // One transaction: concurrent wrong guesses each spend one, and none goes below zero.
      return driver.transaction(async (conn) => {
        await conn.run(SPEND, [id]);
        return Number((await conn.get<{ attempts_left: number | string }>(ATTEMPTS, [id]))?.attempts_left ?? 0);
      });
    },
    async recordAccess(tenant, id, a: HealthLinkAccess) {
      await driver.transaction((conn) => conn.run(INSERT_ACCESS, [tenant, id, a.at, a.recipient, a.ip ?? null, a.outcome]));
    },
    async accesses(tenant, id) {
      const rows = await driver.reader.all<{ at: number | string; recipient: string; ip: string | null; outcome: HealthLinkAccess['outcome'] }>(ACCESSES, [tenant, id]);
      return rows.map((r) => ({ at: Number(r.at), recipient: r.recipient, ...(r.ip !== null ? { ip: r.ip } : {}), outcome: r.outcome }));
    },
  };
}

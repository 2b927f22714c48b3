/** Break-the-glass grants in SQL (table from migration 0006). */
import type { EmergencyAccessStore, EmergencyGrant } from '../emergency-access.ts';
import { stmt, type SqlDriver } from './dialect.ts';

const INSERT = stmt('INSERT INTO emergency_access (tenant, user_id, patient, reason, granted_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)');
const ACTIVE = stmt('SELECT DISTINCT patient FROM emergency_access WHERE tenant = ? AND user_id = ? AND expires_at > ? AND granted_at <= ?');
const RECENT = stmt('SELECT tenant, user_id, patient, reason, granted_at, expires_at FROM emergency_access WHERE tenant = ? AND granted_at >= ? ORDER BY granted_at DESC');

interface Row {
  tenant: string;
  user_id: string;
  patient: string;
  reason: string;
  granted_at: number | string;
  expires_at: number | string;
}

export function sqlEmergencyAccess(driver: SqlDriver): EmergencyAccessStore {
  return {
    async grant(g: EmergencyGrant): Promise<void> {
      await driver.transaction((conn) => conn.run(INSERT, [g.tenant, g.userId, g.patient, g.reason, g.grantedAt, g.expiresAt]));
    },
    async activePatients(tenant, userId, now) {
      return (await driver.reader.all<{ patient: string }>(ACTIVE, [tenant, userId, now, now])).map((r) => r.patient);
    },
    async recent(tenant, since) {
      const rows = await driver.reader.all<Row>(RECENT, [tenant, since]);
      return rows.map((r) => ({ tenant: r.tenant, userId: r.user_id, patient: r.patient, reason: r.reason, grantedAt: Number(r.granted_at), expiresAt: Number(r.expires_at) }));
    },
  };
}

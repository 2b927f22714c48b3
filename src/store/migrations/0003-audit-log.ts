/**
 * Migration 0003: the audit log. `audit_events` holds one row per audited action, numbered per
 * practice (`seq`) and hash-chained (`prev_hash`, `hash`), so a changed or deleted row breaks the
 * chain where it happened. `audit_patients` lists the patients each row concerns, for the
 * accounting of disclosures ("who looked at my record").
 *
 * Both tables refuse UPDATE and DELETE through triggers, whoever connects: the application
 * cannot rewrite history, and someone with enough rights to drop the triggers still cannot
 * make a change the chain does not show.
 */
import type { Dialect } from '../sql/dialect.ts';
import type { Migration } from './migrate.ts';

/** The audit tables (0010 moves them into a file of their own on SQLite). */
export const AUDIT_TABLES = ['audit_events', 'audit_patients'];

export const auditLog: Migration = {
  id: '0003-audit-log',
  statements(d: Dialect): string[] {
    const { text, bigint } = d.types;
    const out = [
      `CREATE TABLE audit_events (
        tenant ${text} NOT NULL,
        seq ${bigint} NOT NULL,
        recorded ${bigint} NOT NULL,
        action ${text} NOT NULL,
        outcome ${text} NOT NULL,
        agent_kind ${text} NOT NULL,
        agent_id ${text} NOT NULL,
        agent_role ${text},
        client_id ${text},
        resource_type ${text},
        entities ${text},
        patients ${text},
        ip ${text},
        user_agent ${text},
        purpose ${text},
        reason ${text},
        detail ${text},
        prev_hash ${text} NOT NULL,
        hash ${text} NOT NULL,
        PRIMARY KEY (tenant, seq)
      )`,
      `CREATE INDEX audit_events_recorded ON audit_events (tenant, recorded, seq)`,
      `CREATE INDEX audit_events_agent ON audit_events (tenant, agent_id, recorded)`,
      `CREATE TABLE audit_patients (tenant ${text} NOT NULL, patient ${text} NOT NULL, seq ${bigint} NOT NULL, PRIMARY KEY (tenant, patient, seq))`,
    ];
    if (d.name === 'sqlite') {
      for (const table of AUDIT_TABLES) {
        for (const op of ['UPDATE', 'DELETE']) {
          out.push(`CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END`);
        }
      }
    } else {
      out.push(`CREATE FUNCTION heron_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit records are append-only'; END $$`);
      for (const table of AUDIT_TABLES) {
        out.push(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION heron_audit_append_only()`);
      }
    }
    return out;
  },
};

/**
 * Migration 0011 (PostgreSQL only): `heron_audit_head(lock_key, chain)` takes a practice's
 * audit-chain lock and returns the chain's last entry, in one round trip. Appending an entry
 * needs both, in that order, and a function is what makes one call do them in that order: in
 * READ COMMITTED each statement inside it sees what was committed before it ran, so the head is
 * read after the lock is held (one statement joining the two would read with a snapshot taken
 * before waiting for the lock, and could miss the previous holder's entry).
 */
import type { Dialect } from '../sql/dialect.ts';
import type { Migration } from './migrate.ts';

export const auditChainHead: Migration = {
  id: '0011-audit-chain-head',
  statements(d: Dialect): string[] {
    if (d.name !== 'postgres') return [];
    return [
      `CREATE FUNCTION heron_audit_head(lock_key bigint, chain text) RETURNS TABLE (seq bigint, hash text) LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
          PERFORM pg_advisory_xact_lock(lock_key);
          RETURN QUERY SELECT e.seq, e.hash::text FROM audit_events e WHERE e.tenant = chain COLLATE "C" ORDER BY e.seq DESC LIMIT 1;
        END $$`,
    ];
  },
};

/**
 * The PostgreSQL role Heron's app servers should connect as in production: it reads and writes
 * the clinical and account tables, but may only add to the audit tables (`audit_*`): no UPDATE,
 * DELETE or TRUNCATE, and — not being their owner — it cannot drop or disable their triggers
 * either. Migrations then run as the schema owner (`heron migrate`), and the app role starts
 * against an up-to-date schema without needing any DDL right.
 */
import pg from 'pg';

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface AppRoleOptions {
  /** A connection URL of the schema's owner (or a superuser). */
  url: string;
  schema: string;
  role: string;
  /** Sets (or changes) the role's login password; a role without one relies on the server's auth rules. */
  password?: string;
}

export interface AppRoleResult {
  created: boolean;
  /** Tables the role may read and change. */
  dataTables: string[];
  /** Tables the role may only read and add to. */
  appendOnlyTables: string[];
}

/** Creates the role if needed and sets its rights on every table of the schema; safe to run again after each migration. */
export async function grantAppRole(o: AppRoleOptions): Promise<AppRoleResult> {
  if (!ROLE_NAME.test(o.role)) throw new Error(`Invalid role name "${o.role}": lower-case letters, digits and _`);
  if (!ROLE_NAME.test(o.schema)) throw new Error(`Invalid schema name "${o.schema}"`);
  const client = new pg.Client({ connectionString: o.url });
  await client.connect();
  try {
    await client.query('BEGIN');
    const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [o.role])).rowCount === 1;
    if (!exists) await client.query(`CREATE ROLE "${o.role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`);
    if (o.password !== undefined) await client.query(`ALTER ROLE "${o.role}" PASSWORD ${client.escapeLiteral(o.password)}`);
    const tables = (await client.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename', [o.schema])).rows.map((r) => r.tablename);
    const appendOnlyTables = tables.filter((t) => t.startsWith('audit_'));
    const dataTables = tables.filter((t) => !t.startsWith('audit_'));
    const list = (names: string[]) => names.map((t) => `"${o.schema}"."${t}"`).join(', ');
    await client.query(`GRANT USAGE ON SCHEMA "${o.schema}" TO "${o.role}"`);
    // Start from nothing on every table, so a right granted by hand earlier does not survive.
    if (tables.length > 0) await client.query(`REVOKE ALL ON ${list(tables)} FROM "${o.role}"`);
    if (dataTables.length > 0) await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${list(dataTables)} TO "${o.role}"`);
    if (appendOnlyTables.length > 0) await client.query(`GRANT SELECT, INSERT ON ${list(appendOnlyTables)} TO "${o.role}"`);
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "${o.schema}" TO "${o.role}"`);
    await client.query('COMMIT');
    return { created: !exists, dataTables, appendOnlyTables };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}

/**
 * The SQLite engine per runtime: node:sqlite where Node has a complete one, better-sqlite3 on
 * Node 20 — and then better-sqlite3 is never loaded, since on Node 24 it aborts the process.
 * Errors of either engine carry the same SQLite code names.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseSqliteEngine, openSqliteDatabase, sqliteEngine, sqliteErrorCode } from './engine.ts';
import { withoutSqliteExperimentalWarning } from './engine-node-sqlite.ts';
import { mapSqliteError } from './sqlite-dialect.ts';
import { FhirError } from '../../fhir/outcome.ts';

const dir = mkdtempSync(join(tmpdir(), 'heron-sqlite-engine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
const hasCompleteNodeSqlite = major > 22 || (major === 22 && minor >= 16);

describe('SQLite engine per runtime', () => {
  it(`Node ${process.versions.node} uses ${hasCompleteNodeSqlite ? 'node:sqlite' : 'better-sqlite3'}`, () => {
    if (process.env.HERON_SQLITE_DRIVER) return; // a deliberate choice; checked below
    expect(sqliteEngine()).toBe(hasCompleteNodeSqlite ? 'node:sqlite' : 'better-sqlite3');
    const db = openSqliteDatabase(join(dir, 'engine.sqlite'), { busyTimeoutMs: 0 });
    expect(db.engine).toBe(sqliteEngine());
    db.close();
    const betterSqlite3Loaded = Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes('better-sqlite3'));
    expect(betterSqlite3Loaded).toBe(sqliteEngine() === 'better-sqlite3');
  });

  it('Node 22 warns that node:sqlite is experimental when it loads; only that warning is held back', async () => {
    const seen: string[] = [];
    const listener = (warning: Error) => seen.push(`${warning.name}: ${warning.message}`);
    process.on('warning', listener);
    try {
      const result = withoutSqliteExperimentalWarning(() => {
        // What Node 22 emits when node:sqlite loads, and two warnings that must still be seen.
        process.emitWarning('SQLite is an experimental feature and might change at any time', 'ExperimentalWarning');
        process.emitWarning('SQLite is an experimental feature and might change at any time', { type: 'ExperimentalWarning' });
        process.emitWarning('Some other feature is an experimental feature', 'ExperimentalWarning');
        process.emitWarning('SQLite is an experimental feature', 'DeprecationWarning');
        return 42;
      });
      expect(result).toBe(42);
      process.emitWarning('SQLite is an experimental feature and might change at any time', 'ExperimentalWarning');
      await new Promise((resolve) => setImmediate(resolve)); // warnings are delivered on the next tick
    } finally {
      process.off('warning', listener);
    }
    expect(seen).toEqual([
      'ExperimentalWarning: Some other feature is an experimental feature',
      'DeprecationWarning: SQLite is an experimental feature',
      'ExperimentalWarning: SQLite is an experimental feature and might change at any time', // after loading: not held back
    ]);
  });

  it('HERON_SQLITE_DRIVER picks one; a runtime without node:sqlite or an unknown name is refused', () => {
    expect(chooseSqliteEngine(undefined, () => true)).toBe('node:sqlite');
    expect(chooseSqliteEngine('', () => false)).toBe('better-sqlite3');
    expect(chooseSqliteEngine('better-sqlite3', () => true)).toBe('better-sqlite3');
    expect(chooseSqliteEngine('node:sqlite', () => true)).toBe('node:sqlite');
    expect(() => chooseSqliteEngine('node:sqlite', () => false)).toThrow(/no complete node:sqlite/);
    expect(() => chooseSqliteEngine('sqlite3', () => true)).toThrow(/must be node:sqlite or better-sqlite3/);
  });
});

describe(`SQLite errors (${sqliteEngine()})`, () => {
  const db = openSqliteDatabase(join(dir, 'errors.sqlite'), { busyTimeoutMs: 0 });
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, parent INTEGER REFERENCES t (id))');
  db.exec('PRAGMA foreign_keys = ON');
  db.prepare('INSERT INTO t (id, name) VALUES (?, ?)').run(1, 'a');
  afterAll(() => db.close());

  const errorOf = (fn: () => unknown): unknown => {
    try {
      fn();
    } catch (err) {
      return err;
    }
    throw new Error('expected an error');
  };

  it('constraint violations carry their extended code and map to FHIR categories', () => {
    const duplicateId = errorOf(() => db.prepare('INSERT INTO t (id, name) VALUES (?, ?)').run(1, 'b'));
    expect(sqliteErrorCode(duplicateId)).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
    const duplicateName = errorOf(() => db.prepare('INSERT INTO t (id, name) VALUES (?, ?)').run(2, 'a'));
    expect(sqliteErrorCode(duplicateName)).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect((mapSqliteError(duplicateName) as FhirError).category).toBe('conflict');
    const dangling = errorOf(() => db.prepare('INSERT INTO t (id, name, parent) VALUES (?, ?, ?)').run(3, 'c', 99));
    expect(sqliteErrorCode(dangling)).toBe('SQLITE_CONSTRAINT_FOREIGNKEY');
    expect((mapSqliteError(dangling) as FhirError).category).toBe('invalid');
  });

  it('a write lock held by another connection is SQLITE_BUSY, and "unavailable"', () => {
    const other = openSqliteDatabase(join(dir, 'errors.sqlite'), { busyTimeoutMs: 0 });
    try {
      other.exec('BEGIN IMMEDIATE');
      const busy = errorOf(() => db.exec('BEGIN IMMEDIATE'));
      expect(sqliteErrorCode(busy)).toMatch(/^SQLITE_BUSY/);
      expect((mapSqliteError(busy) as FhirError).category).toBe('unavailable');
      expect(db.inTransaction).toBe(false);
      expect(other.inTransaction).toBe(true);
    } finally {
      other.close();
    }
    expect(other.isOpen).toBe(false);
  });

  it('errors from elsewhere are not SQLite errors', () => {
    expect(sqliteErrorCode(new Error('boom'))).toBeUndefined();
    expect(sqliteErrorCode(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBeUndefined();
    expect(sqliteErrorCode(null)).toBeUndefined();
  });
});

/**
 * Turns environment variables and command-line flags into one typed, validated configuration.
 * Validation happens here, once, so that commands never see a half-checked value and a typo in
 * `PORT` stops Heron with a clear message (exit code 2) instead of a stack trace at listen time.
 */
import { resolve } from 'node:path';

/** The environment as a plain map, so tests pass their own instead of mutating `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A mistake in how Heron was invoked (flags, environment). `main` maps it to exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Where the data lives: PostgreSQL when `databaseUrl` is set, else SQLite in `dataDir`. */
export interface StorageConfig {
  /** Absolute path. Always set: it also holds files that are not in the database (demo credentials). */
  dataDir: string;
  databaseUrl?: string;
  /** PostgreSQL schema to use instead of the URL's default (`HERON_PG_SCHEMA`); tests isolate themselves with it. */
  pgSchema?: string;
}

export interface ServeConfig extends StorageConfig {
  port: number;
  host: string;
  /** The URL clients reach Heron at; derived from host and port unless `HERON_PUBLIC_URL` is set. */
  publicUrl?: string;
  demo: boolean;
  /** Fastify/pino log level. */
  logLevel: string;
  /** HERON_AUDIT=log: audit records to the log instead of the audit store (benchmarks only). */
  auditToLog: boolean;
  /** HERON_SESSION_IDLE_MINUTES / HERON_SESSION_MAX_HOURS: limits of signed-in sessions. */
  session: { idleMs: number; maxMs: number };
  /** HERON_MAX_BINARY_MB: the largest document file (Binary) accepted, in bytes; 20 MiB by default. */
  binaryBytes: number;
  /** From HERON_SECRET_KEY; otherwise SQLite uses the data directory's key file (`cli/secret-key.ts`). */
  secretKey?: Buffer;
  /** HERON_SMTP_URL and HERON_MAIL_FROM: how invitation and password-reset links are e-mailed. */
  mail?: { smtpUrl: string; from: string };
}

export interface StorageFlags {
  data?: string;
  databaseUrl?: string;
}

export interface ServeFlags extends StorageFlags {
  port?: string;
  host?: string;
  publicUrl?: string;
  demo?: boolean;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '0.0.0.0';
export const DEFAULT_DATA_DIR = './heron-data';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Flags win over the environment, the environment over defaults. Relative paths resolve against `cwd`. */
export function storageConfig(flags: StorageFlags, env: Env, cwd: string = process.cwd()): StorageConfig {
  const dataDir = resolve(cwd, nonEmpty(flags.data) ?? nonEmpty(env.HERON_DATA_DIR) ?? DEFAULT_DATA_DIR);
  const databaseUrl = nonEmpty(flags.databaseUrl) ?? nonEmpty(env.DATABASE_URL);
  const config: StorageConfig = { dataDir };
  if (databaseUrl === undefined) return config;
  checkDatabaseUrl(databaseUrl);
  config.databaseUrl = databaseUrl;
  const pgSchema = nonEmpty(env.HERON_PG_SCHEMA);
  if (pgSchema !== undefined) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(pgSchema)) throw new UsageError(`HERON_PG_SCHEMA must be a lower-case SQL identifier (a-z, 0-9, _); got "${pgSchema}"`);
    config.pgSchema = pgSchema;
  }
  return config;
}

export function serveConfig(flags: ServeFlags, env: Env, cwd: string = process.cwd()): ServeConfig {
  const port = parsePort(nonEmpty(flags.port) ?? nonEmpty(env.PORT), flags.port !== undefined ? '--port' : 'PORT');
  const host = nonEmpty(flags.host) ?? nonEmpty(env.HOST) ?? DEFAULT_HOST;
  const publicUrl = nonEmpty(flags.publicUrl) ?? nonEmpty(env.HERON_PUBLIC_URL);
  if (publicUrl !== undefined) checkPublicUrl(publicUrl);
  const logLevel = nonEmpty(env.LOG_LEVEL) ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new UsageError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got "${logLevel}"`);
  const audit = nonEmpty(env.HERON_AUDIT) ?? 'store';
  if (audit !== 'store' && audit !== 'log') throw new UsageError(`HERON_AUDIT must be store or log; got "${audit}"`);
  const session = {
    idleMs: positiveNumber(env.HERON_SESSION_IDLE_MINUTES, 'HERON_SESSION_IDLE_MINUTES', 15) * 60_000,
    maxMs: positiveNumber(env.HERON_SESSION_MAX_HOURS, 'HERON_SESSION_MAX_HOURS', 12) * 3600_000,
  };
  const binaryBytes = Math.round(positiveNumber(env.HERON_MAX_BINARY_MB, 'HERON_MAX_BINARY_MB', 20) * 1024 * 1024);
  const config: ServeConfig = { ...storageConfig(flags, env, cwd), port, host, demo: flags.demo === true, logLevel, auditToLog: audit === 'log', session, binaryBytes };
  if (publicUrl !== undefined) config.publicUrl = publicUrl.replace(/\/+$/, '');
  const secretKey = secretKeyFromEnv(env);
  if (secretKey !== undefined) config.secretKey = secretKey;
  const smtpUrl = env.HERON_SMTP_URL;
  if (smtpUrl !== undefined && smtpUrl !== '') {
    if (!/^smtps?:\/\//.test(smtpUrl)) throw new UsageError('HERON_SMTP_URL must be an smtp:// or smtps:// URL, e.g. smtps://user:password@mail.example.org:465');
    const from = env.HERON_MAIL_FROM;
    if (from === undefined || !/^[^\s@<>]+@[^\s@<>]+$|^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/.test(from)) {
      throw new UsageError('HERON_MAIL_FROM must be the sender address for account links, e.g. "Riverside EHR <ehr@riverside.example>"');
    }
    config.mail = { smtpUrl, from };
  }
  return config;
}

/**
 * `HERON_SECRET_KEY`: the 32-byte key that encrypts TOTP seeds, as 64 hex digits or base64.
 * Checked here so a mistyped key stops the start instead of failing at the first sign-in.
 */
export function secretKeyFromEnv(env: Env): Buffer | undefined {
  const value = nonEmpty(env.HERON_SECRET_KEY);
  if (value === undefined) return undefined;
  const key = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new UsageError('HERON_SECRET_KEY must be 32 random bytes, as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)');
  return key;
}

/** A TCP port as decimal digits, 0–65535 (0 asks the OS for a free port, which tests use). */
export function parsePort(value: string | undefined, source: string): number {
  if (value === undefined) return DEFAULT_PORT;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new UsageError(`${source} must be a port number between 0 and 65535; got "${value}"`);
  }
  return Number(value);
}

function checkDatabaseUrl(url: string): void {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new UsageError(`DATABASE_URL must be a PostgreSQL URL (postgres://user@host:port/db); got "${redact(url)}"`);
  }
  try {
    new URL(url);
  } catch {
    throw new UsageError(`DATABASE_URL is not a valid URL: "${redact(url)}"`);
  }
}

function checkPublicUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`HERON_PUBLIC_URL / --public-url must be an absolute http(s) URL; got "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`HERON_PUBLIC_URL / --public-url must use http or https; got "${url}"`);
  }
}

/** Hides a password in a connection URL before it reaches a terminal or log. */
export function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
}

/** Treats `PORT=` (set but empty) like unset, as shells and compose files produce it easily. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** A positive number from the environment, or the default when unset. */
function positiveNumber(value: string | undefined, name: string, fallback: number): number {
  const text = nonEmpty(value);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number; got "${text}"`);
  return n;
}

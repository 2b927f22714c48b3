/**
 * `heron serve`: runs the HTTP server until SIGTERM or SIGINT. With `--demo` it first prepares
 * a demo practice, client and sample patients (see `demo/demo-setup.ts`) and prints how to use
 * them, so `npm install && npm start` is all a new user needs.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.ts';
import { FHIR_BASE_PATH } from '../../api/fhir/routes.ts';
import { loggingAuditSink, storeAuditSink } from '../../domain/audit/audit-sink.ts';
import { createSecretBox } from '../../domain/users/secret-box.ts';
import { sqliteEngine } from '../../store/sqlite/engine.ts';
import type { FhirStore } from '../../store/store.ts';
import type { ServeConfig } from '../config.ts';
import { demoCredentialsPath, type DemoCredentials } from '../demo/demo-credentials.ts';
import { DEMO_PRACTICE_NAME, setupDemo } from '../demo/demo-setup.ts';
import { resolveSecretKey } from '../secret-key.ts';
import type { Terminal } from '../terminal.ts';
import { loggingLinkSender, unsentLinkSender } from '../../domain/users/link-sender.ts';
import { smtpLinkSender } from '../../mail/smtp-link-sender.ts';
import { WEB_CALLBACK_PATH } from '../../domain/clients/first-party-app.ts';
import { WEB_DIST_DIR } from '../web-build.ts';
import { systemCtx } from '../../domain/context.ts';
import { ensurePracticeOrganization } from '../practice-content.ts';

export interface ServeDeps {
  store: FhirStore;
  terminal: Terminal;
  config: ServeConfig;
  /** Resolves when the server should stop; defaults to the first SIGTERM or SIGINT. */
  stop?: Promise<unknown>;
  /** Called once the server listens, with its URL (tests use it to make requests). */
  onListening?: (url: string) => void;
  /** Overrides the sample directory for `--demo` (tests). */
  sampleDir?: string;
  /** Overrides where the built web app is (tests); web/dist by default. */
  webDistDir?: string;
}

export async function serveCommand(deps: ServeDeps): Promise<number> {
  const { config, store, terminal } = deps;
  // Signals keep their default (exit at once) during the demo load, which is resumable.
  const demo = config.demo ? await setupDemo({ store, terminal, dataDir: config.dataDir, sampleDir: deps.sampleDir, baseUrl: config.publicUrl }) : undefined;
  const stop = deps.stop ?? stopSignal();

  let app: FastifyInstance | undefined = undefined;
  // HERON_AUDIT=log writes audit records to the log instead of the tamper-evident audit store:
  // only for measuring what the audit store costs (docs/performance.md); never in production.
  const audit = config.auditToLog ? loggingAuditSink((entry, message) => app?.log.info(entry, message)) : storeAuditSink(store.audit);
  // A practice from before practice settings gets its Organization now (one conditional create each).
  for (const practice of await store.admin.listPractices()) await ensurePracticeOrganization(systemCtx(store, practice.id, audit), practice);
  if (config.auditToLog) terminal.err('WARNING: HERON_AUDIT=log: audit records go to the log, not the tamper-evident audit store. For benchmarks only.');
  const secretKey = await resolveSecretKey(config);
  if (!secretKey) terminal.err('Note: HERON_SECRET_KEY is not set, so two-factor sign-in (TOTP) is unavailable on PostgreSQL (docs/auth.md).');
  // Links are e-mailed when mail is configured; only a demo server writes them to its log.
  const log = (obj: object, msg: string) => app?.log.warn(obj, msg);
  const linkSender = config.mail
    ? smtpLinkSender({ url: config.mail.smtpUrl, from: config.mail.from, practiceName: async (id) => (await store.admin.getPractice(id))?.name })
    : config.demo
      ? loggingLinkSender(log)
      : unsentLinkSender(log);
  if (!config.mail && !config.demo) terminal.err('Note: HERON_SMTP_URL is not set, so invitation and password-reset links cannot be e-mailed (docs/auth.md).');
  // The port is known before listening unless it is 0 (any free port); the redirect URIs are read per request.
  let port = config.port;
  const web = { distDir: deps.webDistDir ?? WEB_DIST_DIR, redirectUris: () => webRedirectUris(config, port) };
  app = await buildApp({ store, audit, logger: { level: config.logLevel }, publicBaseUrl: config.publicUrl, session: config.session, limits: { binaryBytes: config.binaryBytes }, linkSender, web, ...(secretKey ? { secretBox: createSecretBox(secretKey) } : {}) });
  try {
    await app.listen({ port: config.port, host: config.host });
    port = (app.server.address() as AddressInfo).port;
    const url = config.publicUrl ?? localUrl(app.server.address() as AddressInfo, config.host);
    printBanner(terminal, url, config, demo);
    deps.onListening?.(url);
    const reason = await stop;
    terminal.err(`Received ${String(reason)}, shutting down…`);
  } finally {
    await app.close();
  }
  return 0;
}

/**
 * Where the web app's sign-in may return: the public URL's callback, or without one the loopback
 * names of this port (plain http is allowed for loopback only, docs/auth.md). A server reached
 * at another address needs HERON_PUBLIC_URL.
 */
export function webRedirectUris(config: Pick<ServeConfig, 'publicUrl' | 'host'>, port: number): string[] {
  if (config.publicUrl) return [`${config.publicUrl}${WEB_CALLBACK_PATH}`];
  return ['localhost', '127.0.0.1'].map((host) => `http://${host}:${port}${WEB_CALLBACK_PATH}`);
}

/** The URL to print: a wildcard bind address is reachable as localhost from this machine. */
export function localUrl(address: AddressInfo, host: string): string {
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  const name = wildcard ? 'localhost' : address.family === 'IPv6' && host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${address.port}`;
}

function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(signal);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

function printBanner(terminal: Terminal, url: string, config: ServeConfig, demo: DemoCredentials | undefined): void {
  const fhirBase = url + FHIR_BASE_PATH;
  terminal.out('');
  terminal.out(`Heron is running at ${url}`);
  terminal.out(`FHIR base URL:      ${fhirBase}`);
  terminal.out(`Database:           ${config.databaseUrl ? 'PostgreSQL' : `SQLite (${sqliteEngine()}) in ${config.dataDir}`}`);
  if (!demo) {
    terminal.out('');
    return;
  }
  terminal.out('');
  terminal.out(`Open ${url} and sign in as one of the demo people (for trying Heron only):`);
  for (const account of demo.accounts ?? []) terminal.out(`  ${account.role.padEnd(15)} ${account.email.padEnd(30)} ${account.password}   ${account.name}`);
  terminal.out('');
  terminal.out(`Demo practice:      ${DEMO_PRACTICE_NAME} (${demo.practiceId})`);
  terminal.out(`Demo client_id:     ${demo.clientId}`);
  terminal.out(`Demo client_secret: ${demo.clientSecret}`);
  terminal.out(`                    (these passwords and secret are saved in ${demoCredentialsPath(config.dataDir)})`);
  terminal.out('');
  terminal.out('Get a token and read patients:');
  terminal.out(
    `  TOKEN=$(curl -s ${url}/oauth2/token -d grant_type=client_credentials -d client_id=${demo.clientId} -d client_secret=${demo.clientSecret} -d 'scope=${demo.scopes}' | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token')`,
  );
  terminal.out(`  curl -s -H "Authorization: Bearer $TOKEN" '${fhirBase}/Patient?_count=5'`);
  terminal.out('');
  terminal.out('Stop with Ctrl-C.');
}

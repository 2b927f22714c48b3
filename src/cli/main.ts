/**
 * The `heron` command line and Heron's composition root: parses argv with commander, turns
 * flags and environment into a validated config, opens (and migrates) the store, and hands
 * explicit dependencies to one function per command. Exit codes: 0 success, 1 failure,
 * 2 usage or configuration error.
 *
 * Command modules are imported when their command runs: `heron practice create` should not pay
 * for loading the HTTP server, and scripts and tests run such commands often.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { FhirError } from '../fhir/outcome.ts';
import { serveConfig, storageConfig, UsageError, type Env, type StorageConfig, type StorageFlags } from './config.ts';
import type { OpenedStore } from './open-configured-store.ts';
import { PracticeNotFound } from './practice-ref.ts';
import { processTerminal, type Terminal } from './terminal.ts';

/** What `main` acts with; tests replace parts (a recording terminal, an in-memory store). */
export interface Runtime {
  terminal: Terminal;
  env: Env;
  cwd: string;
  openStore: (config: StorageConfig) => Promise<OpenedStore>;
  /** For `serve`: resolves when the server should stop (default: SIGTERM/SIGINT). */
  stop?: Promise<unknown>;
  onListening?: (url: string) => void;
  /** Where `--password-stdin` reads from (default: the process's stdin). */
  stdin?: NodeJS.ReadableStream;
}

export async function main(argv: string[], runtime: Partial<Runtime> = {}): Promise<number> {
  const rt: Runtime = {
    terminal: runtime.terminal ?? processTerminal(),
    env: runtime.env ?? process.env,
    cwd: runtime.cwd ?? process.cwd(),
    openStore: runtime.openStore ?? (async (config) => (await import('./open-configured-store.ts')).openConfiguredStore(config)),
    stop: runtime.stop,
    onListening: runtime.onListening,
    stdin: runtime.stdin,
  };
  let exitCode = 0;
  const program = buildProgram(rt, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(rt.terminal, error);
  }
}

function buildProgram(rt: Runtime, setExitCode: (code: number) => void): Command {
  const program = new Command('heron')
    .description('Heron: an open-source electronic health record on FHIR R4')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => rt.terminal.out(text.replace(/\n$/, '')),
      writeErr: (text) => rt.terminal.err(text.replace(/\n$/, '')),
    });

  const storage = (flags: StorageFlags): StorageConfig => storageConfig(flags, rt.env, rt.cwd);
  /** Opens the configured store, runs the command, always closes the store. */
  const withStore = async (config: StorageConfig, run: (opened: OpenedStore) => Promise<number>): Promise<void> => {
    const opened = await rt.openStore(config);
    try {
      setExitCode(await run(opened));
    } finally {
      await opened.store.close();
    }
  };

  storageOptions(program.command('serve'))
    .description('run the HTTP server (FHIR API and OAuth) until SIGTERM/SIGINT')
    .option('--port <port>', 'TCP port (env PORT, default 8080)')
    .option('--host <host>', 'address to bind (env HOST, default 0.0.0.0)')
    .option('--public-url <url>', 'URL clients use to reach Heron (env HERON_PUBLIC_URL)')
    .option('--demo', 'create a demo practice and client and load the sample patients on first start')
    .action(async (flags) => {
      const config = serveConfig(flags, rt.env, rt.cwd);
      const { serveCommand } = await import('./commands/serve.ts');
      await withStore(config, ({ store }) => serveCommand({ store, terminal: rt.terminal, config, stop: rt.stop, onListening: rt.onListening }));
    });

  storageOptions(program.command('migrate'))
    .description('apply pending database migrations and list them')
    .action(async (flags) => {
      const { migrateCommand } = await import('./commands/migrate.ts');
      await withStore(storage(flags), ({ migrations }) => migrateCommand({ migrations, terminal: rt.terminal }));
    });

  storageOptions(program.command('import'))
    .description('import FHIR Bundles, resources and NDJSON files (directories are searched for *.json and *.ndjson)')
    .argument('<paths...>', 'files or directories')
    .requiredOption('--practice <practice>', 'practice id or name')
    .option('--chunk-size <n>', 'NDJSON resources per transaction', positiveInteger, 500)
    .action(async (paths: string[], flags) => {
      const { importCommand } = await import('./commands/import.ts');
      await withStore(storage(flags), ({ store }) => importCommand({ store, terminal: rt.terminal }, { paths, practice: flags.practice, chunkSize: flags.chunkSize }));
    });

  const practice = program.command('practice').description('manage practices (tenants)');
  storageOptions(practice.command('create'))
    .description('create a practice and print its id')
    .argument('<name>', 'practice name')
    .option('--json', 'print {"id": …}')
    .action(async (name: string, flags) => {
      const { practiceCreateCommand } = await import('./commands/practice-create.ts');
      await withStore(storage(flags), ({ store }) => practiceCreateCommand({ store, terminal: rt.terminal }, { name, json: flags.json }));
    });

  storageOptions(practice.command('load-content'))
    .description("add the screening questionnaires and the order catalogue a new practice starts with (missing ones only; the practice's edits stay)")
    .argument('<practice>', 'practice id or name')
    .option('--json', 'print {"id": …, "created": n}')
    .action(async (ref: string, flags) => {
      const { practiceLoadContentCommand } = await import('./commands/practice-create.ts');
      await withStore(storage(flags), ({ store }) => practiceLoadContentCommand({ store, terminal: rt.terminal }, { practice: ref, json: flags.json }));
    });

  storageOptions(practice.command('require-mfa'))
    .description("require a second factor (TOTP) at sign-in for the practice's users")
    .argument('<practice>', 'practice id or name')
    .option('--off', 'no longer require it (users who enrolled keep using it)')
    .option('--json', 'print {"id": …, "mfa_required": …}')
    .action(async (ref: string, flags) => {
      const { practiceMfaCommand } = await import('./commands/practice-mfa.ts');
      await withStore(storage(flags), ({ store }) => practiceMfaCommand({ store, terminal: rt.terminal }, { practice: ref, off: flags.off, json: flags.json }));
    });

  const audit = program.command('audit').description('the audit log');
  storageOptions(audit.command('verify'))
    .description('check the hash chain of the audit log; exit 1 and name the first broken entry if it was altered')
    .option('--practice <practice>', 'practice id or name (default: every practice)')
    .option('--json', 'print one JSON object with the results')
    .action(async (flags) => {
      const { auditVerifyCommand } = await import('./commands/audit-verify.ts');
      await withStore(storage(flags), ({ store }) => auditVerifyCommand({ store, terminal: rt.terminal }, { practice: flags.practice, json: flags.json }));
    });

  storageOptions(audit.command('report'))
    .description('print the audit report of a practice, newest first (reading it is recorded in the trail too)')
    .option('--practice <practice>', 'practice id or name (default: the only practice)')
    .option('--from <date>', 'entries at or after this date or date-time, e.g. 2026-11-01')
    .option('--to <date>', 'entries at or before this date or date-time (a date includes the whole day)')
    .option('--user <id>', 'entries of this user or client id (comma-separated for several)')
    .option('--patient <id>', "entries concerning this patient's record")
    .option('--action <action>', 'an interaction (read, create, delete, …) or action codes C, R, U, D, E (comma-separated for several)')
    .option('--outcome <outcome>', 'success or failure')
    .option('--sort <keys>', 'sort keys date, agent, patient, subtype, outcome; - for descending, e.g. agent,-date')
    .option('--csv', 'print CSV with a header row')
    .option('--json', 'print one JSON object per entry and line')
    .action(async (flags) => {
      const { auditReportCommand } = await import('./commands/audit-report.ts');
      const { practice, from, to, user, patient, action, outcome, sort, csv, json } = flags;
      await withStore(storage(flags), ({ store }) => auditReportCommand({ store, terminal: rt.terminal }, { practice, from, to, user, patient, action, outcome, sort, csv, json }));
    });

  const db = program.command('db').description('database administration (PostgreSQL)');
  storageOptions(db.command('app-role'))
    .description("create or refresh the role app servers connect as: it cannot change or delete audit records; run as the schema owner after each migration (password from HERON_DB_ROLE_PASSWORD)")
    .argument('<name>', 'role name, e.g. heron_app')
    .option('--json', 'print one JSON object with the result')
    .action(async (name: string, flags) => {
      const { dbAppRoleCommand } = await import('./commands/db-app-role.ts');
      const config = storage(flags);
      // The owner's store is opened (and migrated) first, so the grants cover every current table.
      await withStore(config, () => dbAppRoleCommand({ terminal: rt.terminal, config, ...(rt.env.HERON_DB_ROLE_PASSWORD ? { password: rt.env.HERON_DB_ROLE_PASSWORD } : {}) }, { role: name, json: flags.json }));
    });

  const client = program.command('client').description('manage OAuth clients');
  storageOptions(client.command('create'))
    .description('register an OAuth client (client_credentials) and print its id and secret')
    .requiredOption('--practice <practice>', 'practice id or name')
    .requiredOption('--scopes <scopes>', 'space-separated SMART scopes, e.g. "system/*.*"')
    .option('--name <name>', 'a name to recognise the client by')
    .option('--jwks-url <url>', 'authenticate with signed assertions (private_key_jwt) checked against the JWK Set at this https URL; no secret')
    .option('--jwks-file <file>', 'authenticate with signed assertions checked against the public JWK Set in this file; no secret')
    .option('--json', 'print {"client_id": …, "client_secret": …} (no client_secret with --jwks-…)')
    .action(async (flags) => {
      const { clientCreateCommand } = await import('./commands/client-create.ts');
      await withStore(storage(flags), ({ store }) =>
        clientCreateCommand(
          { store, terminal: rt.terminal },
          { practice: flags.practice, scopes: flags.scopes, name: flags.name, jwksUrl: flags.jwksUrl, jwksFile: flags.jwksFile, json: flags.json },
        ),
      );
    });

  const user = program.command('user').description('manage user accounts (people who sign in through apps)');
  storageOptions(user.command('create'))
    .description('create a user account and print its id')
    .requiredOption('--practice <practice>', 'practice id or name')
    .requiredOption('--role <role>', 'physician, nurse, medical-assistant, front-desk, billing, practice-admin, patient or proxy')
    .requiredOption('--email <email>', 'sign-in email (unique in the practice)')
    .option('--password-stdin', 'read the password from the first line of stdin (preferred)')
    .option('--password <password>', 'the password on the command line (visible in the process list; env HERON_USER_PASSWORD is the alternative); at least 12 characters, not a common or breached password')
    .option('--fhir-user <reference>', 'the FHIR resource the user is, e.g. Practitioner/123 (Patient/… for patients)')
    .option('--patient <id>', 'Patient id of a patient account, or one a proxy acts for (repeatable)', collect, undefined)
    .option('--limited-patient <id>', "Patient id a proxy acts for with limited access, e.g. an adolescent's parent (repeatable)", collect, undefined)
    .option('--json', 'print {"id": …}')
    .action(async (flags) => {
      const { userCreateCommand, userPassword } = await import('./commands/user-create.ts');
      // Before the store opens: a usage error should not wait for the database.
      const password = await userPassword({ flag: flags.password, stdin: flags.passwordStdin === true, env: rt.env, input: rt.stdin ?? process.stdin, terminal: rt.terminal });
      await withStore(storage(flags), ({ store }) =>
        userCreateCommand(
          { store, terminal: rt.terminal },
          { practice: flags.practice, role: flags.role, email: flags.email, password, fhirUser: flags.fhirUser, patients: flags.patient, limitedPatients: flags.limitedPatient, json: flags.json },
        ),
      );
    });

  storageOptions(user.command('invite'))
    .description('create an account the person activates by setting their password at a one-time link (printed; valid 7 days)')
    .requiredOption('--practice <practice>', 'practice id or name')
    .requiredOption('--role <role>', 'physician, nurse, medical-assistant, front-desk, billing, practice-admin, patient or proxy')
    .requiredOption('--email <email>', 'sign-in email (unique in the practice)')
    .option('--fhir-user <reference>', 'the FHIR resource the user is, e.g. Practitioner/123')
    .option('--patient <id>', 'Patient id of a patient account, or one a proxy acts for (repeatable)', collect, undefined)
    .option('--limited-patient <id>', "Patient id a proxy acts for with limited access, e.g. an adolescent's parent (repeatable)", collect, undefined)
    .option('--public-url <url>', 'URL people reach Heron at, for the link (env HERON_PUBLIC_URL; default http://localhost:8080)')
    .option('--json', 'print {"id": …, "link": …, "expires_at": …}')
    .action(async (flags) => {
      const { userInviteCommand } = await import('./commands/user-invite.ts');
      const publicUrl = flags.publicUrl ?? rt.env.HERON_PUBLIC_URL ?? 'http://localhost:8080';
      await withStore(storage(flags), ({ store }) =>
        userInviteCommand(
          { store, terminal: rt.terminal },
          { practice: flags.practice, role: flags.role, email: flags.email, fhirUser: flags.fhirUser, patients: flags.patient, limitedPatients: flags.limitedPatient, publicUrl, json: flags.json },
        ),
      );
    });

  for (const [name, status] of [['disable', 'disabled'], ['enable', 'active']] as const) {
    storageOptions(user.command(name))
      .description(status === 'disabled' ? 'stop a user signing in and end their tokens' : 'let a disabled user sign in again (old tokens stay invalid)')
      .requiredOption('--practice <practice>', 'practice id or name')
      .requiredOption('--email <email>', "the user's sign-in email")
      .option('--json', 'print {"id": …, "status": …}')
      .action(async (flags) => {
        const { userStatusCommand } = await import('./commands/user-disable.ts');
        await withStore(storage(flags), ({ store }) => userStatusCommand({ store, terminal: rt.terminal }, { practice: flags.practice, email: flags.email, status, json: flags.json }));
      });
  }

  const app = program.command('app').description('manage apps (SMART authorization code flow)');
  storageOptions(app.command('register'))
    .description('register an app users sign in to, and print its client id (and secret, if confidential)')
    .requiredOption('--practice <practice>', 'practice id or name')
    .requiredOption('--name <name>', 'the name users see on the sign-in and consent pages')
    .requiredOption('--redirect-uri <uri>', 'an exact redirect URI (repeatable)', collect, undefined)
    .requiredOption('--scopes <scopes>', 'space-separated SMART scopes, e.g. "openid fhirUser offline_access user/*.rs"')
    .option('--public', 'a public app (browser or mobile: no secret, PKCE only)')
    .option('--jwks-url <url>', 'a confidential app that authenticates with signed assertions (private_key_jwt) checked against the JWK Set at this https URL; no secret')
    .option('--jwks-file <file>', 'a confidential app that authenticates with signed assertions checked against the public JWK Set in this file; no secret')
    .option('--json', 'print {"client_id": …, "client_secret": …} (no client_secret with --public or --jwks-…)')
    .action(async (flags) => {
      const { appRegisterCommand } = await import('./commands/app-register.ts');
      await withStore(storage(flags), ({ store }) =>
        appRegisterCommand(
          { store, terminal: rt.terminal },
          { practice: flags.practice, name: flags.name, redirectUris: flags.redirectUri, public: flags.public, scopes: flags.scopes, jwksUrl: flags.jwksUrl, jwksFile: flags.jwksFile, json: flags.json },
        ),
      );
    });

  const terminology = program.command('terminology').description('code systems and value sets every practice shares (docs/terminology.md)');
  storageOptions(terminology.command('load'))
    .description('load a code system release (files or directories), or with --shipped the subsets Heron ships')
    .argument('[system]', `${['icd-10-cm', 'snomed', 'rxnorm', 'cvx', 'loinc', 'ucum'].join(', ')} (or the system's URL)`)
    .argument('[paths...]', 'release files, or directories searched for files in a layout Heron reads for the system')
    .option('--shipped', 'load every subset in the terminology/ folder')
    .option('--version <version>', "the release's version, shown as CodeSystem.version and by $lookup")
    .option('--json', 'print one JSON object with what was loaded')
    .action(async (system: string | undefined, paths: string[], flags) => {
      const { terminologyLoadCommand } = await import('./commands/terminology.ts');
      await withStore(storage(flags), ({ store }) => terminologyLoadCommand({ store, terminal: rt.terminal }, { system, paths, shipped: flags.shipped, version: flags.version, json: flags.json }));
    });
  storageOptions(terminology.command('list'))
    .description('list the code systems (concepts loaded) and value sets')
    .option('--json', 'print one JSON object')
    .action(async (flags) => {
      const { terminologyListCommand } = await import('./commands/terminology.ts');
      await withStore(storage(flags), ({ store }) => terminologyListCommand({ store, terminal: rt.terminal }, { json: flags.json }));
    });

  storageOptions(program.command('reindex'))
    .description('rebuild the search index of every stored resource (after search definitions changed)')
    .option('--json', 'print one JSON object with the counts')
    .action(async (flags) => {
      const { reindexCommand } = await import('./commands/reindex.ts');
      await withStore(storage(flags), ({ store }) => reindexCommand({ store, terminal: rt.terminal }, { json: flags.json }));
    });

  return program;
}

/** The flags every database command shares with `serve`. */
function storageOptions(command: Command): Command {
  return command
    .option('--data <dir>', 'data directory for the embedded database and demo credentials (env HERON_DATA_DIR, default ./heron-data)')
    .option('--database-url <url>', 'PostgreSQL URL; overrides the embedded database (env DATABASE_URL)');
}

/** Accumulates a repeatable option. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function positiveInteger(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

/** Maps an error to an exit code after telling the user what went wrong. */
function reportError(terminal: Terminal, error: unknown): number {
  if (error instanceof CommanderError) {
    // commander has already printed its message (through configureOutput).
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
  }
  if (error instanceof UsageError) {
    terminal.err(`heron: ${error.message}`);
    return 2;
  }
  if (error instanceof PracticeNotFound) {
    terminal.err(`heron: ${error.message}`);
    return 1;
  }
  if (error instanceof FhirError) {
    terminal.err(`heron: ${error.category}: ${error.message}`);
    return 1;
  }
  terminal.err(`heron: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return 1;
}

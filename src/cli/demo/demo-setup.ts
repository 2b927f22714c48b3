/**
 * What `heron serve --demo` prepares so a new user can try Heron at once: a practice called
 * "Demo Practice", an OAuth client with `system/*.*` whose secret is saved in the data directory,
 * and the Synthea sample patients, loaded once per database.
 *
 * Loading takes a while, and a new user may well press Ctrl-C during it, so it is resumable:
 * each sample file's transaction is followed by a `demo-loaded:<file>` setting, and a later start
 * loads only the files without one. When all are in, the `demo-loaded` setting ends the checks.
 *
 * Then the people to sign in as (demo-accounts.ts), the visit types, clinicians' schedules and
 * exam rooms (demo-scheduling.ts), today's appointments (demo-appointments.ts) and a patient with
 * a full chart (demo-chart.ts). Like every practice, it gets the screening questionnaires and the
 * order catalogue (../practice-content.ts); the complex patient has PHQ-9s and lab orders
 * (demo-orders.ts).
 *
 * First of all, the terminology subsets Heron ships (`terminology/`), for the app's pickers: each
 * code system that has no concepts yet (so a full release an administrator loaded is kept).
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { storeAuditSink } from '../../domain/audit/audit-sink.ts';
import { systemCtx } from '../../domain/context.ts';
import { registerClient } from '../../domain/clients/register-client.ts';
import { createPractice } from '../../domain/practices/create-practice.ts';
import type { FhirStore, Practice } from '../../store/store.ts';
import { importIntoPractice, printSummary } from '../commands/import.ts';
import { loadShippedTerminology } from '../terminology-files.ts';
import type { Terminal } from '../terminal.ts';
import { DEMO_PHYSICIAN_ID, ensureDemoAccounts } from './demo-accounts.ts';
import { ensureTodaysAppointments } from './demo-appointments.ts';
import { DEMO_SECOND_CLINICIAN, ensureSchedulingSetup } from './demo-scheduling.ts';
import { ensureComplexPatient } from './demo-chart.ts';
import { ensurePracticeContent, ensurePracticeOrganization } from '../practice-content.ts';
import { ensureDemoOrders } from './demo-orders.ts';
import { ensureDemoInbox, ensurePortalPatientsDoctor } from './demo-inbox.ts';
import { readDemoCredentials, writeDemoCredentials, type DemoCredentials } from './demo-credentials.ts';

export const DEMO_PRACTICE_NAME = 'Demo Practice';
export const DEMO_SCOPES = 'system/*.*';
export const DEMO_LOADED_SETTING = 'demo-loaded';
/** The sample data shipped in the repository, found relative to this file so any cwd works. */
export const SAMPLE_DIR = fileURLToPath(new URL('../../../sample-data/synthea/', import.meta.url));

export interface DemoDeps {
  store: FhirStore;
  terminal: Terminal;
  dataDir: string;
  /** Directory with the sample bundles and their `manifest.json`; defaults to `SAMPLE_DIR`. */
  sampleDir?: string;
  baseUrl?: string;
  /** Today, for the demo appointments; defaults to the system clock. */
  today?: Date;
  /** Directory with the terminology subsets; defaults to the repository's `terminology/`. */
  terminologyDir?: string;
}

export async function setupDemo(deps: DemoDeps): Promise<DemoCredentials> {
  const saved = await readDemoCredentials(deps.dataDir);
  await loadTerminologyOnce(deps);
  const practice = await demoPractice(deps.store, saved?.practiceId);
  const client = saved && (await deps.store.admin.getClient(saved.clientId));
  // A new client when there is no file, or it names a client this database does not have.
  const credentials = saved && client?.practiceId === practice.id ? saved : await newDemoClient(deps, practice.id);
  await loadSamplesOnce(deps, practice.id);
  const ctx = systemCtx(deps.store, practice.id, storeAuditSink(deps.store.audit));
  await ensurePracticeContent(ctx);
  await ensurePracticeOrganization(ctx, practice);
  const accounts = await ensureDemoAccounts(ctx, deps.store, credentials.accounts);
  const physician = accounts.find((a) => a.fhirUser === `Practitioner/${DEMO_PHYSICIAN_ID}`);
  const clinicians = physician ? [{ id: DEMO_PHYSICIAN_ID, name: physician.name }] : [];
  await ensureSchedulingSetup(ctx, clinicians);
  const second = { id: DEMO_SECOND_CLINICIAN.id, name: `${DEMO_SECOND_CLINICIAN.given} ${DEMO_SECOND_CLINICIAN.family}, ${DEMO_SECOND_CLINICIAN.suffix}` };
  if (physician) await ensureTodaysAppointments(ctx, deps.store, clinicians[0]!, deps.today, second);
  // After today's appointments, which go to sample patients.
  await ensureComplexPatient(ctx, deps.store, physician && { id: DEMO_PHYSICIAN_ID, name: physician.name }, deps.today);
  await ensureDemoOrders(ctx, deps.store, physician ? DEMO_PHYSICIAN_ID : undefined, deps.today);
  if (physician) await ensureDemoInbox(ctx, deps.store, DEMO_PHYSICIAN_ID, 'demo-nurse', deps.today);
  const portalPatient = accounts.find((a) => a.role === 'patient')?.fhirUser;
  if (physician && portalPatient) await ensurePortalPatientsDoctor(ctx, portalPatient, DEMO_PHYSICIAN_ID);
  const withAccounts = { ...credentials, accounts };
  if (JSON.stringify(withAccounts) !== JSON.stringify(credentials)) await writeDemoCredentials(deps.dataDir, withAccounts);
  return withAccounts;
}

async function newDemoClient(deps: DemoDeps, practiceId: string): Promise<DemoCredentials> {
  const { clientId, clientSecret } = await registerClient(deps.store, { practiceId, scopes: DEMO_SCOPES, name: 'Demo client' });
  const credentials = { practiceId, clientId, clientSecret, scopes: DEMO_SCOPES };
  await writeDemoCredentials(deps.dataDir, credentials);
  return credentials;
}

/** The practice the saved credentials name, else the one called "Demo Practice", else a new one. */
async function demoPractice(store: FhirStore, savedId: string | undefined): Promise<Practice> {
  const saved = savedId === undefined ? undefined : await store.admin.getPractice(savedId);
  return saved ?? (await store.admin.findPracticeByName(DEMO_PRACTICE_NAME)) ?? (await createPractice(store, DEMO_PRACTICE_NAME));
}

async function loadTerminologyOnce(deps: DemoDeps): Promise<void> {
  const started = Date.now();
  const results = await loadShippedTerminology(deps.store.terminology, { dir: deps.terminologyDir, onlyMissing: true });
  if (results.length === 0) return;
  await deps.store.refreshStatistics();
  const concepts = results.reduce((n, r) => n + r.concepts, 0);
  deps.terminal.err(`Loaded the terminology subsets (${results.map((r) => r.system).join(', ')}: ${concepts.toLocaleString('en-US')} concepts) in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

async function loadSamplesOnce(deps: DemoDeps, practiceId: string): Promise<void> {
  const { store, terminal } = deps;
  if ((await store.admin.getSetting(DEMO_LOADED_SETTING)) !== undefined) return;
  const sampleDir = deps.sampleDir ?? SAMPLE_DIR;
  const all = await sampleFiles(sampleDir);
  const pending: string[] = [];
  for (const file of all) if ((await store.admin.getSetting(fileSetting(file))) === undefined) pending.push(file);
  const resuming = pending.length < all.length ? ` (resuming: ${all.length - pending.length} already loaded)` : '';
  terminal.err(`Loading ${pending.length} sample patients from ${sampleDir}${resuming}; this happens once…`);
  const result = await importIntoPractice(deps, practiceId, pending, {
    baseUrl: deps.baseUrl,
    onFileDone: async (file, complete) => {
      if (complete) await store.admin.putSettingIfAbsent(fileSetting(file), JSON.stringify({ practiceId, at: new Date().toISOString() }));
    },
  });
  printSummary({ out: terminal.err, err: terminal.err }, result);
  if (result.failures.length > 0) {
    terminal.err('Some sample files failed to load (see above); Heron serves what was loaded and retries the rest on the next start.');
    return;
  }
  await store.admin.putSettingIfAbsent(DEMO_LOADED_SETTING, JSON.stringify({ practiceId, at: new Date().toISOString() }));
}

function fileSetting(file: string): string {
  return `${DEMO_LOADED_SETTING}:${basename(file)}`;
}

/** The bundle files listed in the sample manifest (the directory also holds non-FHIR JSON). */
export async function sampleFiles(sampleDir: string): Promise<string[]> {
  const manifest = JSON.parse(await readFile(join(sampleDir, 'manifest.json'), 'utf8')) as Array<{ file: string }>;
  return manifest.map((row) => join(sampleDir, row.file));
}

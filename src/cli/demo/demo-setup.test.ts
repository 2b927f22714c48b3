import { access, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractIndexRows } from '../../fhir/search/extract.ts';
import { openStore } from '../../store/open-store.ts';
import type { FhirStore } from '../../store/store.ts';
import { recordingTerminal } from '../terminal.ts';
import { checkPassword } from '../../domain/users/sign-in.ts';
import { DEMO_PATIENT_EMAIL, DEMO_PROXY_EMAIL, DEMO_STAFF } from './demo-accounts.ts';
import { COMPLEX_PATIENT_ID } from './complex-patient.ts';
import { COMPLEX_PATIENT_SETTING } from './demo-chart.ts';
import { dispatch } from '../../api/fhir/dispatch.ts';
import { systemCtx } from '../../domain/context.ts';
import { demoAppointmentsSetting } from './demo-appointments.ts';
import { readDemoCredentials, writeDemoCredentials } from './demo-credentials.ts';
import { DEMO_LOADED_SETTING, DEMO_PRACTICE_NAME, sampleFiles, SAMPLE_DIR, setupDemo } from './demo-setup.ts';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const SAMPLES = ['Clemente_Kreiger_1484a42d-0eaf-4654-9cbf-6b050a5cd73b.json', 'Mao_Kilback_93cfa114-ace6-4e01-b30b-73863b9339a5.json'];

let store: FhirStore;
let dataDir: string;
let sampleDir: string;
let terminologyDir: string;
beforeEach(async () => {
  store = await openStore({ memory: true, indexer: extractIndexRows });
  await store.migrate();
  dataDir = await mkdtemp(join(tmpdir(), 'heron-demo-data-'));
  sampleDir = await mkdtemp(join(tmpdir(), 'heron-demo-sample-'));
  await writeFile(join(sampleDir, 'manifest.json'), JSON.stringify(SAMPLES.map((file) => ({ file }))));
  // One small subset stands for the shipped terminology (the whole takes seconds to load).
  terminologyDir = await mkdtemp(join(tmpdir(), 'heron-demo-terminology-'));
  await mkdir(join(terminologyDir, 'cvx'));
  await copyFile(join(ROOT, 'terminology/cvx/cvx-codes.tsv'), join(terminologyDir, 'cvx/cvx-codes.tsv'));
});
afterEach(async () => {
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(sampleDir, { recursive: true, force: true });
  await rm(terminologyDir, { recursive: true, force: true });
});

/** Sample patients: every Patient but the complex patient the demo adds (demo-chart.ts). */
async function patientCount(practiceId: string): Promise<number | undefined> {
  const page = await store.reader(practiceId).search({ resourceTypes: ['Patient'], criteria: [], sort: [], count: 10, total: 'accurate', include: [], revinclude: [] });
  return page.total === undefined ? undefined : page.total - page.resources.filter((p) => p.id === COMPLEX_PATIENT_ID).length;
}

describe('setupDemo', () => {
  it('resumes an incomplete load with only the files that are missing', async () => {
    await copyFile(join(ROOT, 'sample-data/synthea', SAMPLES[0]), join(sampleDir, SAMPLES[0]));
    await writeFile(join(sampleDir, SAMPLES[1]), '{"resourceType": "Bundle",'); // cut off, like an interrupted download

    const first = recordingTerminal();
    const credentials = await setupDemo({ store, terminal: first, dataDir, sampleDir, terminologyDir });
    const practice = await store.admin.findPracticeByName(DEMO_PRACTICE_NAME);
    expect(practice?.id).toBe(credentials.practiceId);
    expect(await patientCount(credentials.practiceId)).toBe(1);
    expect(first.stderr.join('\n')).toMatch(/retries the rest on the next start/);
    expect(await store.admin.getSetting(DEMO_LOADED_SETTING)).toBeUndefined();

    await copyFile(join(ROOT, 'sample-data/synthea', SAMPLES[1]), join(sampleDir, SAMPLES[1]));
    const second = recordingTerminal();
    // The same accounts, and the demo parent now that there is a second patient to act for.
    expect(await setupDemo({ store, terminal: second, dataDir, sampleDir, terminologyDir })).toEqual({
      ...credentials,
      accounts: [...(credentials.accounts ?? []), expect.objectContaining({ role: 'proxy', email: DEMO_PROXY_EMAIL })],
    });
    expect(second.stderr[0]).toMatch(/^Loading 1 sample patients .*\(resuming: 1 already loaded\)/);
    expect(await patientCount(credentials.practiceId)).toBe(2);
    expect(await store.admin.getSetting(DEMO_LOADED_SETTING)).toBeDefined();

    const third = recordingTerminal();
    await setupDemo({ store, terminal: third, dataDir, sampleDir, terminologyDir });
    expect(third.stderr).toEqual([]);
    expect(await patientCount(credentials.practiceId)).toBe(2);
  });

  it('registers a new client when the saved one is not in this database', async () => {
    const other = await mkdtemp(join(tmpdir(), 'heron-demo-other-'));
    try {
      await writeFile(join(other, 'demo-credentials.json'), JSON.stringify({ practiceId: 'gone', clientId: 'gone', clientSecret: 's', scopes: 'system/*.*' }));
      await writeFile(join(sampleDir, 'manifest.json'), '[]');
      const credentials = await setupDemo({ store, terminal: recordingTerminal(), dataDir: other, sampleDir, terminologyDir });
      expect(credentials.clientId).not.toBe('gone');
      expect(await store.admin.getClient(credentials.clientId)).toMatchObject({ practiceId: credentials.practiceId, scopes: 'system/*.*' });
      expect(await readDemoCredentials(other)).toEqual(credentials);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('refuses a damaged credentials file instead of silently replacing it', async () => {
    await writeFile(join(dataDir, 'demo-credentials.json'), '{"practiceId": 1}');
    await expect(setupDemo({ store, terminal: recordingTerminal(), dataDir, sampleDir, terminologyDir })).rejects.toThrow(/delete it/);
  });
});

describe('demo terminology', () => {
  it('loads the shipped subsets of code systems that have none, once', async () => {
    const first = recordingTerminal();
    await setupDemo({ store, terminal: first, dataDir, sampleDir, terminologyDir });
    expect(first.stderr.join('\n')).toMatch(/Loaded the terminology subsets \(cvx: 288 concepts\)/);
    expect(await store.terminology.countConcepts('http://hl7.org/fhir/sid/cvx')).toBe(288);
    const vaccines = await store.terminology.expand('https://heron.dev/fhir/ValueSet/vaccines', undefined, { offset: 0, count: 1 });
    expect(vaccines.total).toBe(288);
    const second = recordingTerminal();
    await store.terminology.putConcepts([{ system: 'http://hl7.org/fhir/sid/cvx', code: '08', display: 'Changed by an admin', kind: 'vaccine' }]);
    await setupDemo({ store, terminal: second, dataDir, sampleDir, terminologyDir });
    expect(second.stderr.join('\n')).not.toMatch(/terminology/);
    expect((await store.terminology.lookup('http://hl7.org/fhir/sid/cvx', '08'))?.display).toBe('Changed by an admin');
  });
});

describe('demo people and appointments', () => {
  async function appointments(practiceId: string) {
    const page = await store.reader(practiceId).search({ resourceTypes: ['Appointment'], criteria: [], sort: [], count: 100, total: 'accurate', include: [], revinclude: [] });
    const all = page.resources as unknown as Array<{ start: string; participant: Array<{ actor: { reference: string } }> }>;
    // The complex patient's own upcoming appointments are part of her chart, not today's list.
    return all.filter((a) => !a.participant.some((p) => p.actor.reference === `Patient/${COMPLEX_PATIENT_ID}`));
  }

  it('creates an account per role and a portal patient that sign in with the saved passwords, and books today once', async () => {
    await copyFile(join(ROOT, 'sample-data/synthea', SAMPLES[0]), join(sampleDir, SAMPLES[0]));
    await copyFile(join(ROOT, 'sample-data/synthea', SAMPLES[1]), join(sampleDir, SAMPLES[1]));
    const today = new Date(2026, 11, 5, 7, 0);
    const credentials = await setupDemo({ store, terminal: recordingTerminal(), dataDir, sampleDir, terminologyDir, today });

    const accounts = credentials.accounts ?? [];
    expect(accounts.map((a) => a.role)).toEqual(['physician', 'nurse', 'medical-assistant', 'front-desk', 'practice-admin', 'patient', 'proxy']);
    expect(accounts.map((a) => a.email)).toEqual([...DEMO_STAFF.map((m) => m.email), DEMO_PATIENT_EMAIL, DEMO_PROXY_EMAIL]);
    expect(accounts[0]).toMatchObject({ name: 'Dr. Dana Whitfield, MD', fhirUser: 'Practitioner/demo-physician' });
    expect(accounts[5]!.fhirUser).toMatch(/^Patient\//);
    // The parent: full access to the other sample patient, limited access to the portal patient.
    const proxy = await store.admin.users.findByEmail(credentials.practiceId, DEMO_PROXY_EMAIL);
    expect(proxy).toMatchObject({ role: 'proxy', fhirUser: 'RelatedPerson/demo-proxy', limitedPatients: [accounts[5]!.fhirUser.slice('Patient/'.length)] });
    expect(proxy?.patients).toHaveLength(2);
    for (const account of accounts) {
      expect((await checkPassword(store, credentials.practiceId, account.email, account.password)).ok, account.email).toBe(true);
    }
    expect(new Set(accounts.map((a) => a.password)).size).toBe(accounts.length);
    expect(await readDemoCredentials(dataDir)).toEqual(credentials);

    // Two living sample patients: both booked today, with the physician, in local time.
    const booked = await appointments(credentials.practiceId);
    expect(booked).toHaveLength(2);
    for (const a of booked) {
      expect(new Date(a.start).toDateString()).toBe(today.toDateString());
      expect(a.participant.map((p) => p.actor.reference)).toContain('Practitioner/demo-physician');
    }
    expect(await store.admin.getSetting(demoAppointmentsSetting(today))).toBeDefined();
    // The schedule's catalogue: visit types with their lengths, a Schedule per clinician, exam rooms.
    const reader = store.reader(credentials.practiceId);
    const all = async (type: string) => (await reader.search({ resourceTypes: [type], criteria: [], sort: [], count: 100, total: 'accurate', include: [], revinclude: [] })).resources as unknown as Array<Record<string, any>>;
    // The order catalogue is ActivityDefinitions too; visit types carry their own topic.
    const visitTypes = (await all('ActivityDefinition')).filter((v) => v.topic?.some((t: any) => t.coding?.some((c: any) => c.code === 'visit-type')));
    expect(visitTypes.map((v) => [v.code.coding[0].code, v.timingDuration.value])).toEqual(
      expect.arrayContaining([['new-patient', 40], ['follow-up', 20], ['annual-wellness', 40], ['procedure', 30], ['sick-visit', 20]]),
    );
    expect((await all('Schedule')).map((s) => s.actor[0].reference).sort()).toEqual(['Practitioner/demo-nurse-practitioner', 'Practitioner/demo-physician']);
    expect((await all('Location')).filter((l) => l.type?.[0]?.coding?.[0]?.code === 'exam-room')).toHaveLength(4);

    // The complex patient is loaded once, with the demo physician as her doctor, her vitals and labs ready for $lastn.
    expect(await store.admin.getSetting(COMPLEX_PATIENT_SETTING)).toBeDefined();
    const ctx = systemCtx(store, credentials.practiceId, { record() {} });
    const latest = await dispatch(ctx, { method: 'GET', path: 'Observation/$lastn', query: new URLSearchParams({ patient: COMPLEX_PATIENT_ID, category: 'laboratory', max: '3' }), headers: {}, baseUrl: 'http://demo/fhir/R4' });
    expect((latest.body as { total: number }).total).toBeGreaterThanOrEqual(14 * 3);
    const her = (await store.reader(credentials.practiceId).readCurrent('Patient', COMPLEX_PATIENT_ID))!.resource as { generalPractitioner: { reference: string }[] };
    expect(her.generalPractitioner[0].reference).toBe('Practitioner/demo-physician');

    // A second start the same day keeps passwords and books nothing; the next day books again.
    expect(await setupDemo({ store, terminal: recordingTerminal(), dataDir, sampleDir, terminologyDir, today })).toEqual(credentials);
    expect(await appointments(credentials.practiceId)).toHaveLength(2);
    await setupDemo({ store, terminal: recordingTerminal(), dataDir, sampleDir, terminologyDir, today: new Date(2026, 11, 6, 7, 0) });
    expect(await appointments(credentials.practiceId)).toHaveLength(4);
  });

  it('gives an account whose password was lost a new one', async () => {
    await writeFile(join(sampleDir, 'manifest.json'), '[]');
    const first = await setupDemo({ store, terminal: recordingTerminal(), dataDir, sampleDir, terminologyDir });
    await writeDemoCredentials(dataDir, { ...first, accounts: first.accounts!.slice(1) });
    const second = await setupDemo({ store, terminal: recordingTerminal(), dataDir, sampleDir, terminologyDir });
    const [before, after] = [first.accounts![0]!, second.accounts![0]!];
    expect(after.email).toBe(before.email);
    expect(after.password).not.toBe(before.password);
    expect((await checkPassword(store, second.practiceId, after.email, after.password)).ok).toBe(true);
    expect((await checkPassword(store, second.practiceId, before.email, before.password)).ok).toBe(false);
  });
});

describe('sampleFiles', () => {
  it('lists all 80 shipped bundles, each present', async () => {
    const files = await sampleFiles(SAMPLE_DIR);
    expect(files).toHaveLength(80);
    expect(files.every((f) => f.startsWith(SAMPLE_DIR) && f.endsWith('.json'))).toBe(true);
    await Promise.all(files.map((f) => access(f)));
  });
});

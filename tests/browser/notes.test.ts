/**
 * Visit notes in a real browser (docs/notes.md): the physician opens a chart's notes, starts a
 * note from a template (which starts today's visit), fills three sections, inserts the latest
 * vitals with the shortcut, and signs through the dialog that repeats the patient's name and MRN;
 * the note is then read-only and locked (a PUT through the API is refused); an addendum is added
 * and shown under the note with who signed it and when. The interactions of open note →
 * template → fill → insert vitals → sign are counted against UX-04's budget (≤ 8). A draft
 * changed by someone else meanwhile is shown, and kept or taken, never overwritten. axe on every
 * screen; screenshots at 1366×768.
 */
import type { DocumentReference, Patient } from '@medplum/fhirtypes';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHeron } from '../fixtures/heron-server.ts';
import { DemoServer, expectAccessible, launchBrowser, newPage, screenshot, signIn } from './browser-fixture.ts';
import { api, createPatient } from './lists-fixture.ts';

/** UX-04: open note → pick template → fill 3 fields → insert vitals → sign. */
const UX04_BUDGET = 8;

describe('visit notes: write from a template, insert vitals, sign, lock, addendum', () => {
  let server: DemoServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let patient: Patient;
  let noteId: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([DemoServer.start(), launchBrowser()]);
    ({ context, page, problems } = await newPage(browser));
    // UX checks' click counting: pointerdown, and keydown of non-text keys (a chord such as
    // Alt+Shift+V counts once: modifier keys alone are not counted).
    // (A string: this file is type-checked without the DOM library.)
    await page.addInitScript(`
      window.heronInteractions = 0;
      addEventListener('pointerdown', () => window.heronInteractions++, true);
      addEventListener('keydown', (e) => {
        if (['Shift', 'Alt', 'Control', 'Meta'].includes(e.key)) return;
        if (e.key.length > 1 || e.altKey || e.ctrlKey || e.metaKey) window.heronInteractions++;
      }, true);
    `);
    await signIn(page, server.origin, server.account('physician'));
    patient = await createPatient(page, 'Brennan', 'Orla', 'T-NOTE-1');
    const at = new Date(Date.now() - 20 * 60_000).toISOString();
    const vital = (code: string, display: string, extra: object) => ({
      resourceType: 'Observation',
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
      code: { coding: [{ system: 'http://loinc.org', code, display }] },
      subject: { reference: `Patient/${patient.id}` },
      effectiveDateTime: at,
      ...extra,
    });
    for (const o of [
      vital('85354-9', 'Blood pressure panel', {
        component: [
          { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 132, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
          { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 84, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
        ],
      }),
      vital('8867-4', 'Heart rate', { valueQuantity: { value: 76, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' } }),
    ]) {
      expect((await api(page, 'POST', 'Observation', o)).status).toBe(201);
    }
  }, 300_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  const interactions = () => page.evaluate<number>('window.heronInteractions');
  const resetInteractions = () => page.evaluate('void (window.heronInteractions = 0)');
  const section = (name: string) => page.getByRole('textbox', { name, exact: true });

  it('writes a note from a template with inserted vitals and signs it within the click budget', async () => {
    await page.goto(`${server.origin}/patients/${patient.id}`);
    await page.getByRole('navigation', { name: 'Chart sections' }).getByRole('link', { name: 'Notes' }).click();
    await page.getByText('No visit notes in this chart yet.').waitFor();
    await expectAccessible(page, 'an empty notes list');
    await screenshot(page, 'notes-empty');

    await resetInteractions();
    await page.getByRole('link', { name: 'New note' }).click();
    const template = page.getByRole('button', { name: 'Follow-up visit (SOAP)' });
    await template.waitFor();
    expect(await page.getByText('No visit is in progress today: starting the note starts one.').count()).toBe(1);
    await expectAccessible(page, 'the new-note screen');
    await screenshot(page, 'notes-new');
    await template.click();

    // The editor opens with the cursor in the first section.
    await section('Subjective').waitFor();
    await expect.poll(() => page.evaluate<string | undefined>('document.activeElement?.tagName'), { timeout: 10_000 }).toBe('TEXTAREA');
    await page.keyboard.type('BP review. Home readings 130s/80s, no dizziness.');
    // A click in the box below its text puts the cursor at the end, after the template's "Exam: ".
    await section('Objective').click();
    await page.keyboard.type('Well, no ankle oedema.');
    await page.keyboard.press('Alt+Shift+KeyV');
    await expect.poll(() => section('Objective').inputValue(), { timeout: 10_000 }).toMatch(/^Exam: Well, no ankle oedema\.\n\[Inserted from chart: Vitals, as of .+\]\nBP 132\/84 mmHg · Heart rate 76\/min$/);
    await section('Plan').click();
    await page.keyboard.type('Continue amlodipine. Recheck in 3 months.');
    await page.getByText(/^Draft saved .+/).waitFor({ timeout: 30_000 });
    const words = await page.locator('.note-words').textContent();
    expect(words).toMatch(/^\d+ words$/);
    await expectAccessible(page, 'the note editor');
    await screenshot(page, 'notes-editor');

    await page.getByRole('button', { name: 'Sign…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Sign this note?' }).waitFor();
    expect(await dialog.textContent()).toMatch(/For Brennan, Orla · MRN T-NOTE-1 · born/);
    await expectAccessible(page, 'the sign dialog');
    await screenshot(page, 'notes-sign-dialog');
    await dialog.getByRole('button', { name: 'Sign note' }).click();
    await page.getByText('Signed · locked').waitFor();
    const counted = await interactions();
    console.log(`UX-04 interactions (open note → template → fill 3 → insert vitals → sign): ${counted} (budget ${UX04_BUDGET})`);
    expect(counted).toBeLessThanOrEqual(UX04_BUDGET);

    // Read-only now: no text boxes, the inserted vitals boxed with their as-of time, who signed.
    expect(await section('Subjective').count()).toBe(0);
    expect(await page.locator('.note-inserted').first().textContent()).toMatch(/Inserted from chart: Vitals, as of .*BP 132\/84 mmHg/);
    expect(await page.getByRole('list', { name: 'Signatures' }).textContent()).toMatch(/Signed by Dr\. Dana Whitfield|Signed by Dana Whitfield/);
    await page.getByRole('list', { name: 'Versions of this note' }).getByText(/signed by/).waitFor();
    await expectAccessible(page, 'a signed note');
    await screenshot(page, 'notes-signed');
    noteId = new URL(page.url()).pathname.split('/').at(-1)!;

    const visits = await api<{ entry?: unknown[] }>(page, 'GET', `Encounter?patient=${patient.id}&status=in-progress`);
    expect(visits.body.entry).toHaveLength(1);
  });

  it('refuses a change of the signed note through the API', async () => {
    const stored = await api<DocumentReference>(page, 'GET', `DocumentReference/${noteId}`);
    expect(stored.body).toMatchObject({ docStatus: 'final', context: { encounter: [{ reference: expect.stringMatching(/^Encounter\//) }], related: expect.arrayContaining([{ reference: expect.stringMatching(/^Observation\//) }]) } });
    const put = await api<{ issue: { diagnostics: string }[] }>(page, 'PUT', `DocumentReference/${noteId}`, { ...stored.body, description: 'changed later' });
    expect(put.status).toBe(409);
    expect(put.body.issue[0]!.diagnostics).toMatch(/This note was signed by .*Whitfield on .*; a signed note cannot be changed\. Add an addendum instead\./);
  });

  it('adds an addendum, shown under the note with who signed it and when', async () => {
    await page.getByRole('link', { name: 'Add addendum' }).click();
    await page.getByRole('button', { name: 'Write the addendum' }).click();
    await section('Addendum').waitFor();
    await section('Addendum').fill('Potassium from today’s labs normal (4.2 mmol/L).');
    await page.getByText(/^Draft saved .+/).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Sign…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Sign note' }).click();
    await page.getByText('Signed · locked').waitFor();

    await page.goto(`${server.origin}/patients/${patient.id}/notes/${noteId}`);
    const addenda = page.getByRole('list', { name: 'Addenda' });
    await addenda.waitFor();
    expect(await addenda.textContent()).toMatch(/Signed · locked.*Signed by .*Whitfield, .*\d\d:\d\d.*Potassium from today’s labs normal/);
    await expectAccessible(page, 'a signed note with an addendum');
    await screenshot(page, 'notes-addendum', { fullPage: true });

    await page.getByRole('navigation', { name: 'Chart sections' }).getByRole('link', { name: 'Notes' }).click();
    const list = page.getByRole('grid', { name: 'Visit notes' });
    await list.getByText(/Addendum:/).waitFor();
    await page.getByText(/^Visit in progress since /).waitFor();
    expect(await list.getByText('Signed · locked').count()).toBe(2);
    await expectAccessible(page, 'the notes list');
    await screenshot(page, 'notes-list');
  });

  it('a draft someone else saved meanwhile is shown, and mine is kept until I choose', async () => {
    await page.getByRole('link', { name: 'New note' }).click();
    await page.getByRole('button', { name: 'Follow-up visit (SOAP)' }).click();
    await section('Plan').waitFor();
    await section('Plan').fill('Mine: start lisinopril 10 mg.');
    await page.getByText(/^Draft saved .+/).waitFor({ timeout: 30_000 });
    const id = new URL(page.url()).pathname.split('/').at(-1)!;
    const theirs = await api<DocumentReference>(page, 'GET', `DocumentReference/${id}`);
    expect((await api(page, 'PUT', `DocumentReference/${id}`, { ...theirs.body, description: 'Changed by a colleague' }, { 'if-match': `W/"${theirs.body.meta!.versionId}"` })).status).toBe(200);

    await section('Plan').fill('Mine: start lisinopril 10 mg daily.');
    const conflict = page.getByRole('alert').filter({ hasText: 'Someone else saved this draft' });
    await conflict.waitFor({ timeout: 30_000 });
    expect(await section('Plan').inputValue()).toBe('Mine: start lisinopril 10 mg daily.');
    await expectAccessible(page, 'a draft conflict');
    await screenshot(page, 'notes-draft-conflict');
    await conflict.getByRole('button', { name: 'Keep mine' }).click();
    await page.getByText(/^Draft saved .+/).waitFor({ timeout: 30_000 });
    const saved = await api<DocumentReference>(page, 'GET', `DocumentReference/${id}`);
    expect(Buffer.from(saved.body.content[0]!.attachment.data!, 'base64').toString()).toMatch(/Mine: start lisinopril 10 mg daily\./);
  });

  it('a resident signs for co-signature; the supervising physician co-signs and the note becomes final', async () => {
    // A resident of the demo practice, with their own Practitioner (directory data, loaded as an operator would).
    const dir = await mkdtemp(join(tmpdir(), 'heron-notes-resident-'));
    try {
      await writeFile(join(dir, 'resident.ndjson'), `${JSON.stringify({ resourceType: 'Practitioner', id: 'browser-resident', name: [{ given: ['Alex'], family: 'Moreno' }] })}\n`);
      const imported = await runHeron(server.loc, ['import', dir, '--practice', 'Demo Practice']);
      expect(imported.code, imported.stderr).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const resident = { role: 'resident', email: 'resident@browser.heron.example', password: 'browser test resident heron lantern' };
    const created = await runHeron(server.loc, ['user', 'create', '--practice', 'Demo Practice', '--role', 'resident', '--email', resident.email, '--password', resident.password, '--fhir-user', 'Practitioner/browser-resident']);
    expect(created.code, created.stderr).toBe(0);
    const second = await newPage(browser);
    try {
      const rpage = second.page;
      await signIn(rpage, server.origin, resident);
      await rpage.goto(`${server.origin}/patients/${patient.id}/notes/new`);
      await rpage.getByRole('button', { name: 'Follow-up visit (SOAP)' }).click();
      await rpage.getByRole('textbox', { name: 'Plan', exact: true }).fill('Discussed with attending. Increase amlodipine to 10 mg.');
      await rpage.getByText(/^Draft saved .+/).waitFor({ timeout: 30_000 });
      await rpage.getByRole('button', { name: 'Sign for co-signature…' }).click();
      const dialog = rpage.getByRole('dialog');
      expect(await dialog.textContent()).toMatch(/For Brennan, Orla · MRN T-NOTE-1.*final once your supervisor co-signs/);
      await dialog.getByLabel('Find the supervising physician').fill('Whitfield');
      const choose = dialog.getByRole('button', { name: /Supervising physician/ });
      await expect.poll(() => choose.isEnabled(), { timeout: 10_000 }).toBe(true);
      await choose.click();
      await rpage.getByRole('option', { name: /Dana Whitfield/ }).first().click();
      await expectAccessible(rpage, 'the sign dialog of a resident');
      await screenshot(rpage, 'notes-sign-resident');
      await dialog.getByRole('button', { name: 'Sign note' }).click();
      await rpage.getByText('Awaiting co-signature', { exact: true }).waitFor();
      expect(await rpage.getByRole('list', { name: 'Signatures' }).textContent()).toMatch(/Signed \(trainee\) by Alex Moreno.*Awaiting co-signature by .*Dana Whitfield/);
      expect(await rpage.getByRole('button', { name: 'Co-sign…' }).count()).toBe(0);
      expect(second.problems).toEqual([]);
      const url = new URL(rpage.url()).pathname;

      await page.goto(`${server.origin}${url}`);
      await page.getByRole('button', { name: 'Co-sign…' }).click();
      await page.getByRole('dialog').getByRole('heading', { name: 'Co-sign this note?' }).waitFor();
      await page.getByRole('dialog').getByRole('button', { name: 'Co-sign note' }).click();
      await page.getByText('Signed · locked').waitFor();
      expect(await page.getByRole('list', { name: 'Signatures' }).textContent()).toMatch(/Signed \(trainee\) by Alex Moreno.*Co-signed by .*Dana Whitfield/);
      await page.getByRole('list', { name: 'Versions of this note' }).getByText(/co-signed by .*Dana Whitfield/).waitFor();
      await expectAccessible(page, 'a co-signed note');
      await screenshot(page, 'notes-cosigned');
    } finally {
      await second.context.close();
    }
  });

  it('a practice keeps its own template, offered for the next note', async () => {
    await page.goto(`${server.origin}/note-templates`);
    await page.getByRole('list', { name: 'Templates' }).getByText('Follow-up visit (SOAP)').waitFor();
    await page.getByRole('button', { name: 'New template' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Title').fill('Diabetes review');
    await dialog.getByLabel('Sections').fill('## Subjective\n\nHome glucose: \n\n## Objective\n\n@VITALS@\nFeet: \n\n## Plan\n\n');
    await expectAccessible(page, 'the template dialog');
    await screenshot(page, 'notes-template-dialog');
    await dialog.getByRole('button', { name: 'Save template' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('list', { name: 'Templates' }).getByText('Diabetes review').waitFor();
    await expectAccessible(page, 'the templates screen');
    await screenshot(page, 'notes-templates');

    await page.goto(`${server.origin}/patients/${patient.id}/notes/new`);
    await page.getByRole('button', { name: 'Diabetes review' }).click();
    await section('Objective').waitFor();
    // Its @VITALS@ was filled in with the chart's latest vitals.
    expect(await section('Objective').inputValue()).toMatch(/^\[Inserted from chart: Vitals, as of .+\]\nBP 132\/84 mmHg · Heart rate 76\/min\nFeet: $/);

    // The home screen counts the physician's notes not signed yet (this draft and the conflict test's).
    await page.goto(`${server.origin}/`);
    await page.getByText(/^\d+ unsigned notes?$/).waitFor();
    expect(await page.getByText(/^\d+ unsigned notes?$/).textContent()).toBe('2 unsigned notes');
    await expectAccessible(page, 'the home screen with unsigned notes');
    await screenshot(page, 'notes-home-unsigned');
    expect(problems).toEqual([]);
  });
});

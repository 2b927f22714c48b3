/**
 * The problem list in a real browser: the coded-entry type-ahead (keyboard and mouse, no match,
 * a failed search), adding, resolving and editing problems, and an edit conflict (the Condition
 * changed over the API meanwhile) that explains itself and keeps what was typed. axe on every
 * state, including the open dialog and the open type-ahead.
 */
import type { Condition, Patient } from '@medplum/fhirtypes';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoServer, expectAccessible, launchBrowser, newPage, screenshot, signIn } from './browser-fixture.ts';
import { api, createPatient, focusedRole } from './lists-fixture.ts';

describe('problem list: add by type-ahead, resolve, edit, conflict', () => {
  let server: DemoServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let patient: Patient;

  beforeAll(async () => {
    [server, browser] = await Promise.all([DemoServer.start(), launchBrowser()]);
    ({ context, page, problems } = await newPage(browser));
    await signIn(page, server.origin, server.account('physician'));
    patient = await createPatient(page, 'Lindqvist', 'Marta', 'T-PROB-1');
  }, 300_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  const dialog = () => page.getByRole('dialog');
  const current = () => page.getByRole('grid', { name: 'Current problems' });
  const past = () => page.getByRole('grid', { name: /Past problems/ });

  it('an empty list says so; a problem is added by keyboard alone from the type-ahead', async () => {
    await page.goto(`${server.origin}/patients/${patient.id}/problems`);
    await page.getByRole('heading', { name: 'Problems', level: 2 }).waitFor();
    await current().getByText('No current problems recorded.').waitFor();
    await expectAccessible(page, 'an empty problem list');
    await screenshot(page, 'problems-empty');

    // Keyboard only: Tab to "Add problem", Enter; the type-ahead has focus.
    const add = page.getByRole('button', { name: 'Add problem' });
    await add.focus();
    await page.keyboard.press('Enter');
    await dialog().getByRole('heading', { name: 'Add problem' }).waitFor();
    expect(await dialog().textContent()).toMatch(/For Lindqvist, Marta · MRN T-PROB-1/);
    await expect.poll(() => focusedRole(page)).toBe('combobox');
    await expectAccessible(page, 'the add-problem dialog');
    await screenshot(page, 'problems-add-dialog');

    await page.keyboard.type('type 2 diab');
    const option = page.getByRole('option', { name: /Type 2 diabetes mellitus without complications/ }).first();
    await option.waitFor();
    expect(await page.getByRole('listbox').textContent()).toMatch(/ICD-10-CM E11\.9|SNOMED CT/);
    await expectAccessible(page, 'the problem type-ahead, open');
    await screenshot(page, 'problems-typeahead');
    // Arrow down to the option that names E11.9 and choose it with Enter.
    const options = await page.getByRole('option').allTextContents();
    const index = options.findIndex((t) => /E11\.9/.test(t));
    expect(index).toBeGreaterThanOrEqual(0);
    for (let i = 0; i <= index; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog().textContent()).toMatch(/Chosen: Type 2 diabetes mellitus without complications ICD-10-CM E11\.9/);

    // On through the form by Tab; the onset date typed, then saved with the keyboard.
    await dialog().getByLabel('Onset').fill('2019-03-01');
    await dialog().getByLabel('Note').focus();
    await page.keyboard.type('Diet and metformin');
    await dialog().getByRole('button', { name: 'Save' }).focus();
    await page.keyboard.press('Enter');
    await dialog().waitFor({ state: 'hidden' });
    const row = current().getByRole('row', { name: /Type 2 diabetes mellitus without complications/ });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/ICD-10-CM E11\.9.*Active.*Confirmed/);

    const stored = await api<{ entry?: Array<{ resource: Condition }> }>(page, 'GET', `Condition?patient=${patient.id}`);
    const condition = stored.body.entry?.[0]?.resource;
    expect(condition).toMatchObject({
      subject: { reference: `Patient/${patient.id}` },
      category: [{ coding: [{ code: 'problem-list-item' }] }],
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'E11.9' }] },
      onsetDateTime: '2019-03-01',
      note: [{ text: 'Diet and metformin' }],
    });
    expect(problems).toEqual([]);
  });

  it('the type-ahead says when nothing matches and when the search failed; a problem is added with the mouse', async () => {
    await page.getByRole('button', { name: 'Add problem' }).click();
    const box = dialog().getByRole('combobox', { name: 'Problem' });
    await box.fill('qqxzv');
    await page.getByRole('listbox').getByText(/No problems match “qqxzv”/).waitFor();
    await expectAccessible(page, 'the problem type-ahead with no match');

    await page.route('**/fhir/R4/ValueSet/$expand*', (route) =>
      route.fulfill({ status: 503, contentType: 'application/fhir+json', body: JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient', details: { text: 'The terminology service is restarting.' } }] }) }),
    );
    await box.fill('asthm');
    await page.getByRole('listbox').getByText(/Could not search problems: The terminology service is restarting\./).waitFor({ timeout: 15_000 });
    await expectAccessible(page, 'the problem type-ahead after a failed search');
    await screenshot(page, 'problems-typeahead-error');
    await page.unroute('**/fhir/R4/ValueSet/$expand*');

    // Saving without choosing says what is missing and keeps the dialog (Escape closes the list first, not the dialog).
    await page.keyboard.press('Escape');
    await page.getByRole('listbox').waitFor({ state: 'hidden' });
    expect(await box.inputValue()).toBe('asthm');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await dialog().getByText('Choose the problem from the list offered as you type.').waitFor();

    await box.fill('essential hypert');
    const option = page.getByRole('option', { name: /Essential.*hypertension/i }).first();
    await option.waitFor();
    await option.click();
    await expect.poll(() => dialog().textContent()).toMatch(/Chosen: Essential/i);
    await dialog().getByRole('button', { name: 'Save' }).click();
    await dialog().waitFor({ state: 'hidden' });
    await current().getByRole('row', { name: /Essential.*hypertension/i }).waitFor();
    expect(problems).toEqual([]);
  });

  it('resolving a problem moves it to past problems with the day it resolved', async () => {
    await page.getByRole('button', { name: /^Resolve Type 2 diabetes/ }).click();
    await dialog().getByRole('heading', { name: /Resolve Type 2 diabetes/ }).waitFor();
    await expectAccessible(page, 'the resolve dialog');
    await dialog().getByLabel('Resolved on').fill('2026-11-30');
    await dialog().getByRole('button', { name: 'Resolve' }).click();
    await dialog().waitFor({ state: 'hidden' });
    const row = past().getByRole('row', { name: /Type 2 diabetes/ });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/Resolved/);
    expect(await current().getByRole('row', { name: /Type 2 diabetes/ }).count()).toBe(0);
    await expectAccessible(page, 'the problem list with current and past problems');
    await screenshot(page, 'problems-list');
    expect(problems).toEqual([]);
  });

  it('an edit conflict (changed over the API meanwhile) is explained, keeps what was typed, and can be saved over', async () => {
    await current().getByRole('button', { name: /^Edit Essential/ }).click();
    await dialog().getByRole('heading', { name: 'Edit problem' }).waitFor();
    await dialog().getByLabel('Note').fill('Home readings 150s systolic; typed by me');

    // A colleague changes the same Condition meanwhile.
    const search = await api<{ entry?: Array<{ resource: Condition }> }>(page, 'GET', `Condition?patient=${patient.id}&code=http://hl7.org/fhir/sid/icd-10-cm|I10,http://snomed.info/sct|59621000`);
    const theirs = search.body.entry?.[0]?.resource ?? (await api<{ entry?: Array<{ resource: Condition }> }>(page, 'GET', `Condition?patient=${patient.id}&clinical-status=active`)).body.entry![0]!.resource;
    const changed = await api(page, 'PUT', `Condition/${theirs.id}`, { ...theirs, verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'provisional' }] } });
    expect(changed.status).toBe(200);

    await dialog().getByRole('button', { name: 'Save' }).click();
    const alert = dialog().getByRole('alert');
    await alert.getByText('Someone else changed this problem after you opened it.').waitFor();
    expect(await alert.textContent()).toMatch(/Their version.*Provisional/);
    expect(await dialog().getByLabel('Note').inputValue()).toBe('Home readings 150s systolic; typed by me');
    await expectAccessible(page, 'the edit conflict');
    await screenshot(page, 'problems-conflict');

    await dialog().getByRole('button', { name: 'Save mine over theirs' }).click();
    await dialog().waitFor({ state: 'hidden' });
    const saved = await api<Condition>(page, 'GET', `Condition/${theirs.id}`);
    expect(saved.body.note?.[0]?.text).toBe('Home readings 150s systolic; typed by me');
    expect(saved.body.meta?.versionId).toBe('3');

    // The chart at a glance lists the current problem, not the resolved one as current.
    await page.getByRole('navigation', { name: 'Chart sections' }).getByRole('link', { name: 'Chart summary' }).click();
    const panel = page.getByRole('region', { name: 'Problems' });
    await expect.poll(() => panel.textContent()).toMatch(/Essential hypertension/);
    await panel.getByRole('link', { name: /^All/ }).click();
    await page.getByRole('heading', { name: 'Problems', level: 2 }).waitFor();
    expect(problems).toEqual([]);
  });
});

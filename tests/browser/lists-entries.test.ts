/**
 * The medication, allergy and immunization lists in a real browser: each added by type-ahead
 * (keyboard for medications, mouse for the others), a medication discontinued with its reason,
 * "no known allergies" asserted and then superseded, a vaccine recorded as given and another as
 * not given. axe on every state, including the open dialogs and type-aheads.
 */
import type { AllergyIntolerance, Bundle, Immunization, MedicationRequest, Patient } from '@medplum/fhirtypes';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoServer, expectAccessible, launchBrowser, newPage, screenshot, signIn } from './browser-fixture.ts';
import { api, createPatient, focusedRole } from './lists-fixture.ts';

describe('medication, allergy and immunization lists', () => {
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
    patient = await createPatient(page, 'Okonkwo', 'Adaeze', 'T-LIST-2');
  }, 300_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  const dialog = () => page.getByRole('dialog');
  const choose = async (label: string, option: string) => {
    // A select's button is named by its value and its label.
    await dialog().getByRole('button', { name: new RegExp(`${label.replace(/[?]/g, '\\?')}$`) }).click();
    await page.getByRole('option', { name: option, exact: true }).click();
  };

  it('a medication is added by keyboard from the type-ahead with a structured dose, then discontinued with a reason', async () => {
    await page.goto(`${server.origin}/patients/${patient.id}/medications`);
    await page.getByRole('grid', { name: 'Current medications' }).getByText('No current medications recorded.').waitFor();
    await expectAccessible(page, 'an empty medication list');

    await page.getByRole('button', { name: 'Add medication' }).focus();
    await page.keyboard.press('Enter');
    await dialog().getByRole('heading', { name: 'Add medication' }).waitFor();
    expect(await dialog().textContent()).toMatch(/For Okonkwo, Adaeze · MRN T-LIST-2/);
    await expect.poll(() => focusedRole(page)).toBe('combobox');
    await page.keyboard.type('metformin 500 oral tablet');
    await page.getByRole('option', { name: /^metformin hydrochloride 500 MG Oral Tablet\s*RxNorm 861007$/ }).waitFor();
    await expectAccessible(page, 'the medication type-ahead, open');
    await screenshot(page, 'medications-typeahead');
    const options = await page.getByRole('option').allTextContents();
    const index = options.findIndex((t) => /RxNorm 861007$/.test(t));
    for (let i = 0; i <= index; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog().textContent()).toMatch(/Chosen: metformin hydrochloride 500 MG Oral Tablet RxNorm 861007/);

    await page.keyboard.press('Tab');
    await page.keyboard.type('1');
    await choose('Frequency', 'Twice daily');
    await expect.poll(() => dialog().textContent()).toMatch(/saved as “1 tablet by mouth twice daily”/);
    await expectAccessible(page, 'the add-medication dialog, filled');
    await screenshot(page, 'medications-add-dialog');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await dialog().waitFor({ state: 'hidden' });
    const row = page.getByRole('grid', { name: 'Current medications' }).getByRole('row', { name: /metformin/ });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/1 tablet by mouth twice daily.*Active/);

    const stored = (await api<Bundle<MedicationRequest>>(page, 'GET', `MedicationRequest?patient=${patient.id}`)).body.entry![0]!.resource!;
    expect(stored).toMatchObject({ status: 'active', intent: 'order', medicationCodeableConcept: { coding: [{ code: '861007' }] }, dosageInstruction: [{ timing: { code: { coding: [{ code: 'BID' }] } }, doseAndRate: [{ doseQuantity: { value: 1 } }] }] });
    expect(stored.requester?.reference).toMatch(/^Practitioner\//);

    await page.getByRole('button', { name: /^Discontinue metformin/ }).click();
    await dialog().getByRole('heading', { name: /^Discontinue metformin/ }).waitFor();
    await dialog().getByRole('button', { name: 'Discontinue' }).click();
    await dialog().getByText(/Say why it is stopped/).waitFor();
    await expectAccessible(page, 'the discontinue dialog with its error');
    await dialog().getByLabel('Reason').fill('GI upset');
    await dialog().getByRole('button', { name: 'Discontinue' }).click();
    await dialog().waitFor({ state: 'hidden' });
    const past = page.getByRole('grid', { name: /Past medications/ }).getByRole('row', { name: /metformin/ });
    await past.waitFor();
    expect(await past.textContent()).toMatch(/Stopped.*GI upset/);
    await expectAccessible(page, 'the medication list');
    await screenshot(page, 'medications-list');
    expect(problems).toEqual([]);
  });

  it('"No known allergies" is recorded only when asserted; an allergy is added with the mouse and the assertion no longer shows', async () => {
    await page.getByRole('navigation', { name: 'Chart sections' }).getByRole('link', { name: 'Allergies' }).click();
    await page.getByText('Allergies not recorded', { exact: true }).first().waitFor();
    await expectAccessible(page, 'allergies not recorded');
    await page.getByRole('button', { name: 'Record “No known allergies”' }).click();
    await page.getByRole('status').getByText('No known allergies').waitFor();
    await expect.poll(() => page.getByRole('region', { name: 'Patient' }).textContent()).toMatch(/No known allergies/);
    await expectAccessible(page, 'no known allergies');
    const nka = (await api<Bundle<AllergyIntolerance>>(page, 'GET', `AllergyIntolerance?patient=${patient.id}`)).body.entry![0]!.resource!;
    expect(nka.code?.coding?.[0]).toMatchObject({ system: 'http://snomed.info/sct', code: '716186003' });

    await page.getByRole('button', { name: 'Add allergy' }).click();
    await dialog().getByRole('combobox', { name: 'Substance' }).fill('amoxicillin');
    await page.getByRole('option', { name: /^Amoxicillin\s*RxNorm 723$/ }).click();
    await choose('Criticality', 'High');
    await dialog().getByRole('combobox', { name: 'Reaction' }).fill('urticaria');
    const hives = page.getByRole('option', { name: /^Urticaria\s*SNOMED CT 126485001$/ });
    await hives.waitFor();
    await expectAccessible(page, 'the reaction type-ahead, open');
    await hives.click();
    await choose('Severity', 'Moderate');
    await expectAccessible(page, 'the add-allergy dialog, filled');
    await screenshot(page, 'allergies-add-dialog');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await dialog().waitFor({ state: 'hidden' });
    const row = page.getByRole('grid', { name: 'Active allergies' }).getByRole('row', { name: /Amoxicillin/ });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/Urticaria \(moderate\).*Medication allergy.*High.*Active, confirmed/);
    await page.getByRole('status').getByText('1 active allergy').waitFor();
    await expect.poll(() => page.getByRole('region', { name: 'Patient' }).textContent()).toMatch(/Allergies \(1\): Amoxicillin/);
    // The earlier "no known allergies" is kept for the record, as inactive.
    await expect.poll(async () => (await api<AllergyIntolerance>(page, 'GET', `AllergyIntolerance/${nka.id}`)).body.clinicalStatus?.coding?.[0]?.code).toBe('inactive');
    await expectAccessible(page, 'the allergy list');
    await screenshot(page, 'allergies-list');
    expect(problems).toEqual([]);
  });

  it('a vaccine is recorded as given with lot and site, another as not given with the reason', async () => {
    await page.getByRole('navigation', { name: 'Chart sections' }).getByRole('link', { name: 'Immunizations' }).click();
    await page.getByText('No immunizations recorded.').waitFor();
    await page.getByRole('button', { name: 'Add immunization' }).click();
    await dialog().getByRole('combobox', { name: 'Vaccine' }).fill('influenza quadrivalent');
    await page.getByRole('option', { name: /CVX 150$/ }).click();
    await dialog().getByLabel('Date').fill('2026-10-01');
    await dialog().getByLabel('Lot number').fill('FLU-2026-A');
    await choose('Site', 'Left deltoid');
    await expectAccessible(page, 'the add-immunization dialog');
    await screenshot(page, 'immunizations-add-dialog');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await dialog().waitFor({ state: 'hidden' });
    const given = page.getByRole('grid', { name: /given, newest first/ }).getByRole('row', { name: /Influenza/ });
    await given.waitFor();
    expect(await given.textContent()).toMatch(/CVX 150.*Oct 1, 2026.*Latest of 1 dose.*FLU-2026-A.*Left deltoid, Intramuscular.*Given here/);

    await page.getByRole('button', { name: 'Add immunization' }).click();
    await dialog().getByRole('combobox', { name: 'Vaccine' }).fill('zoster');
    await page.getByRole('option', { name: /zoster/i }).first().click();
    await choose('Given?', 'Not given');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await dialog().getByText('Say why it was not given.').waitFor();
    await choose('Why not given', 'Patient objection');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await dialog().waitFor({ state: 'hidden' });
    const notGiven = page.getByRole('grid', { name: 'Immunizations not given' }).getByRole('row', { name: /zoster/i });
    await notGiven.waitFor();
    expect(await notGiven.textContent()).toMatch(/Patient objection/);
    await page.getByRole('heading', { name: 'Given (1 dose of 1 vaccine)' }).waitFor();
    const stored = (await api<Bundle<Immunization>>(page, 'GET', `Immunization?patient=${patient.id}&status=not-done`)).body.entry![0]!.resource!;
    expect(stored).toMatchObject({ status: 'not-done', statusReason: { coding: [{ code: 'PATOBJ' }] }, primarySource: true });
    await expectAccessible(page, 'the immunization list');
    await screenshot(page, 'immunizations-list');

    // The chart at a glance shows what the lists now hold, and links back to them.
    await page.getByRole('navigation', { name: 'Chart sections' }).getByRole('link', { name: 'Chart summary' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Allergies' }).textContent()).toMatch(/Amoxicillin/);
    await expect.poll(() => page.getByRole('region', { name: 'Immunizations' }).textContent()).toMatch(/Influenza/);
    expect(await page.getByRole('region', { name: 'Medications' }).textContent()).not.toMatch(/metformin/);
    await page.getByRole('region', { name: 'Immunizations' }).getByRole('link', { name: /^All/ }).click();
    await page.getByRole('heading', { name: 'Immunizations', level: 2 }).waitFor();
    expect(problems).toEqual([]);
  });
});

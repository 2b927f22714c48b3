/**
 * Screening and orders in a real browser, as the physician: a PHQ-9 answered in the chart and
 * scored by the server (total, band, the item-9 flag), a GAD-7 by keyboard alone, the trend; a CBC ordered from the catalogue
 * and acetaminophen 325 mg 2 tabs PO q6h PRN from an order sentence, counting the interactions
 * against UX-05's budget (≤ 6); a prednisone taper without free text; both on the Orders screen;
 * the requisition as a PDF, filed to the chart; a result that arrives later shown on its order.
 * axe on every screen and dialog; screenshots at 1366×768.
 */
import type { DocumentReference, Observation, Patient, ServiceRequest } from '@medplum/fhirtypes';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoServer, expectAccessible, launchBrowser, newPage, screenshot, signIn } from './browser-fixture.ts';
import { api, createPatient } from './lists-fixture.ts';

/** UX-05's way of counting: pointer presses and keys that are not text (Enter, Tab, arrows…). */
const COUNT_INTERACTIONS = `
  window.__interactions = 0;
  window.__pointer = 0;
  window.addEventListener('pointerdown', () => { window.__interactions++; window.__pointer++; }, true);
  window.addEventListener('keydown', (e) => { if (e.key.length > 1 && e.key !== 'Shift' && e.key !== 'Backspace') window.__interactions++; }, true);
`;

describe('screening and orders', () => {
  let server: DemoServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let patient: Patient;

  beforeAll(async () => {
    [server, browser] = await Promise.all([DemoServer.start(), launchBrowser()]);
    ({ context, page, problems } = await newPage(browser));
    await page.addInitScript(COUNT_INTERACTIONS);
    await signIn(page, server.origin, server.account('physician'));
    patient = await createPatient(page, 'Okonkwo', 'Ada', 'T-ORD-1');
  }, 300_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  const dialog = () => page.getByRole('dialog');
  const interactions = () => page.evaluate<number>('window.__interactions');
  const resetCount = () => page.evaluate('window.__interactions = 0');

  it('a PHQ-9 answered in the chart is scored by the server: total, band and the item-9 flag', async () => {
    await page.goto(`${server.origin}/patients/${patient.id}/screening`);
    await page.getByRole('heading', { name: 'Screening', level: 2 }).waitFor();
    // The practice's questionnaires, by title: GAD-7 first.
    await page.getByText('No GAD-7 score recorded yet.').waitFor();
    await page.getByRole('radiogroup', { name: 'Questionnaire' }).locator('label', { hasText: 'PHQ-9' }).click();
    await page.getByText('No PHQ-9 score recorded yet.').waitFor();
    await expectAccessible(page, 'screening, no score yet');

    // Saving with questions unanswered says which.
    await page.getByRole('button', { name: 'Save and score' }).click();
    await page.getByRole('alert').filter({ hasText: /Answer every question to score it: 1, 2, 3, 4, 5, 6, 7, 8, 9 are not answered/ }).waitFor();

    const answers = ['More than half the days', 'More than half the days', 'More than half the days', 'More than half the days', 'Several days', 'Several days', 'Several days', 'Not at all', 'Several days'];
    for (const [i, answer] of answers.entries()) {
      await page.getByRole('radiogroup', { name: new RegExp(`^${i + 1}\\.`) }).locator('label', { hasText: answer }).click();
    }
    await page.getByText('9 of 9 answered').waitFor();
    await screenshot(page, 'screening-phq9-answered');
    await page.getByRole('button', { name: 'Save and score' }).click();
    const result = page.getByRole('status').filter({ hasText: 'Saved.' });
    await result.waitFor();
    expect(await result.textContent()).toMatch(/PHQ-9 score 12\s*Moderate depression/);
    expect(await result.textContent()).toMatch(/Positive answer to item 9 .*assess suicide risk today/);
    await page.getByText(/Latest: 12/).waitFor();
    await expectAccessible(page, 'a scored PHQ-9');
    await screenshot(page, 'screening-phq9-scored');
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'screening-phq9-history');

    const stored = await api<{ entry?: Array<{ resource: Observation }> }>(page, 'GET', `Observation?patient=${patient.id}&code=http://loinc.org|44261-6`);
    expect(stored.body.entry?.[0]?.resource).toMatchObject({ valueQuantity: { value: 12 }, interpretation: [{ coding: [{ code: 'moderate' }] }] });
    expect(stored.body.entry?.[0]?.resource.derivedFrom?.[0]?.reference).toMatch(/^QuestionnaireResponse\//);
  });

  it('a GAD-7 is answered and saved with the keyboard alone', async () => {
    await page.getByRole('radiogroup', { name: 'Questionnaire' }).locator('label', { hasText: 'GAD-7' }).click();
    await page.getByText('No GAD-7 score recorded yet.').waitFor();
    const pointerBefore = await page.evaluate<number>('window.__pointer');
    await page.getByRole('radiogroup', { name: /^1\./ }).getByRole('radio').first().focus();
    // Arrow keys choose within a question, Tab goes to the next; Space chooses the focused answer.
    for (const weight of [1, 1, 1, 1, 1, 0, 0]) {
      if (weight === 0) await page.keyboard.press('Space');
      else for (let i = 0; i < weight; i++) await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Tab');
    }
    await page.getByText('7 of 7 answered').waitFor();
    await page.keyboard.press('Enter');
    const result = page.getByRole('status').filter({ hasText: 'Saved.' });
    await result.waitFor();
    expect(await result.textContent()).toMatch(/GAD-7 score 5\s*Mild anxiety/);
    expect(await page.evaluate<number>('window.__pointer')).toBe(pointerBefore);
  });

  it('the demo patient has a PHQ-9 trend, and orders with a result', async () => {
    await page.goto(`${server.origin}/patients/demo-eleanor-hartley/screening`);
    await page.getByRole('radiogroup', { name: 'Questionnaire' }).locator('label', { hasText: 'PHQ-9' }).click();
    await page.getByRole('group', { name: /PHQ-9 total score.*3 values/ }).waitFor();
    await page.getByText(/Latest: /).waitFor();
    await expectAccessible(page, 'the PHQ-9 trend');
    await screenshot(page, 'screening-trend');

    // Her orders: an HbA1c completed, its report linked by basedOn; a lipid panel awaiting its result.
    await page.getByRole('navigation', { name: 'Chart sections' }).getByRole('link', { name: 'Orders' }).click();
    const labs = page.getByRole('grid', { name: /Lab orders/ });
    await labs.getByRole('row', { name: /Hemoglobin A1c/ }).getByText(/Final/).waitFor();
    expect(await labs.getByRole('row', { name: /Lipid panel/ }).textContent()).toMatch(/Active.*Awaiting result/);
    await expectAccessible(page, 'the demo patient\'s orders');
    await screenshot(page, 'orders-demo');
  });

  it('orders a CBC and acetaminophen within the click budget, a taper without free text, and shows them', async () => {
    await page.goto(`${server.origin}/patients/${patient.id}/orders`);
    await page.getByRole('heading', { name: 'Orders', level: 2 }).waitFor();
    await page.getByText('No lab orders yet.').waitFor();
    await page.getByRole('button', { name: 'Order labs' }).and(page.locator(':not([disabled])')).waitFor();
    await expectAccessible(page, 'orders, none yet');
    await screenshot(page, 'orders-empty');

    // A CBC: open, tick, sign.
    await resetCount();
    await page.getByRole('button', { name: 'Order labs' }).click();
    await dialog().getByRole('heading', { name: 'Order labs' }).waitFor();
    expect(await dialog().textContent()).toMatch(/For Okonkwo, Ada · MRN T-ORD-1/);
    await dialog().locator('label', { hasText: 'Complete blood count (CBC)' }).click();
    await expectAccessible(page, 'the lab order dialog');
    await screenshot(page, 'orders-lab-dialog');
    await dialog().getByRole('button', { name: /^Sign and order/ }).click();
    await dialog().waitFor({ state: 'hidden' });
    const labClicks = await interactions();
    expect(labClicks).toBeLessThanOrEqual(3);
    const labs = page.getByRole('grid', { name: /Lab orders/ });
    await labs.getByRole('row', { name: /Complete blood count \(CBC\)/ }).waitFor();
    expect(await labs.getByRole('row', { name: /Complete blood count/ }).textContent()).toMatch(/LOINC 58410-2.*R-\d{8}-\w{4}.*Active.*Awaiting result/);

    // Acetaminophen 325 mg, 2 tablets by mouth every 6 hours as needed: open, type, choose, order sentence, sign.
    await resetCount();
    await page.getByRole('button', { name: 'Order medication' }).click();
    await dialog().getByRole('heading', { name: 'Order a medication' }).waitFor();
    await page.keyboard.type('acetaminophen 325');
    await page.getByRole('option', { name: /^acetaminophen 325 MG Oral Tablet/ }).first().click();
    await dialog().getByRole('button', { name: /Acetaminophen 325 mg: 2 tablets every 6 hours as needed for pain/ }).click();
    const preview = dialog().locator('.order-preview');
    await preview.getByText(/Take 2 tablets by mouth every 6 hours as needed for pain, for 5 days\. Do not take more than 10 tablets in 24 hours\. Dispense 40 tablets\. Refills: 0\./).waitFor();
    await expectAccessible(page, 'the medication order dialog');
    await screenshot(page, 'orders-medication-dialog');
    await dialog().getByRole('button', { name: 'Sign order' }).click();
    await dialog().waitFor({ state: 'hidden' });
    const medicationClicks = await interactions();
    console.log(`UX-05 interactions: CBC ${labClicks}, acetaminophen 325 mg 2 tabs PO q6h PRN ${medicationClicks} (budget 6)`);
    expect(medicationClicks).toBeLessThanOrEqual(6);
    const meds = page.getByRole('grid', { name: /Medication orders/ });
    await meds.getByRole('row', { name: /acetaminophen 325 MG Oral Tablet/ }).waitFor();
    expect(await meds.getByRole('row', { name: /acetaminophen 325 MG Oral Tablet/ }).textContent()).toMatch(/RxNorm 313782.*Take 2 tablets by mouth every 6 hours as needed for pain, for 5 days.*Dispense 40 tablets\. Refills: 0\..*Active/);

    // A five-day prednisone taper: steps, not free text.
    await page.getByRole('button', { name: 'Order medication' }).click();
    await dialog().getByRole('button', { name: /Prednisone 10 mg: 5-day taper/ }).click();
    await preview.getByText(/Take 4 tablets by mouth once daily, for 2 days, then 2 tablets once daily, for 2 days, then 1 tablet once daily, for 1 day\. Dispense 13 tablets\./).waitFor();
    expect(await dialog().getByRole('group', { name: /Taper: 3 steps/ }).count()).toBe(1);
    await screenshot(page, 'orders-taper-dialog');
    await dialog().getByRole('button', { name: 'Sign order' }).click();
    await dialog().waitFor({ state: 'hidden' });
    await meds.getByRole('row', { name: /prednisone 10 MG Oral Tablet/ }).waitFor();
    await expectAccessible(page, 'the orders screen with orders');
    await screenshot(page, 'orders-list');
    expect(problems).toEqual([]);
  });

  it('opens the requisition as a PDF and files it to the chart; a later result shows on its order', async () => {
    const labs = page.getByRole('grid', { name: /Lab orders/ });
    await labs.getByRole('button', { name: 'Requisition PDF for Complete blood count (CBC)' }).click();
    await dialog().getByRole('heading', { name: 'Lab requisition' }).waitFor();
    const frame = dialog().locator('iframe.print-pdf');
    await frame.waitFor();
    const src = await frame.getAttribute('src');
    expect(src).toMatch(/^blob:/);
    await expectAccessible(page, 'the requisition PDF');
    await screenshot(page, 'orders-requisition-pdf');
    await dialog().getByRole('button', { name: 'File to the chart' }).click();
    await dialog().getByRole('status').filter({ hasText: 'Filed to the chart' }).waitFor();
    await dialog().getByRole('button', { name: 'Close' }).click();
    await dialog().waitFor({ state: 'hidden' });

    // The prescription prints too.
    await page.getByRole('grid', { name: /Medication orders/ }).getByRole('button', { name: 'Prescription PDF for acetaminophen 325 MG Oral Tablet' }).click();
    await dialog().getByRole('heading', { name: 'Prescription' }).waitFor();
    expect(await dialog().locator('iframe.print-pdf').getAttribute('src')).toMatch(/^blob:/);
    await expectAccessible(page, 'the prescription PDF');
    await dialog().getByRole('button', { name: 'Close' }).click();
    await dialog().waitFor({ state: 'hidden' });

    const docs = await api<{ entry?: Array<{ resource: DocumentReference }> }>(page, 'GET', `DocumentReference?patient=${patient.id}`);
    expect(docs.body.entry?.[0]?.resource.context?.related?.[0]?.reference).toMatch(/^ServiceRequest\//);
    // What was filed is the PDF shown.
    const binaryId = docs.body.entry![0]!.resource.content[0]!.attachment.url!.replace(/^Binary\//, '');
    const binary = await api<{ contentType: string; data: string }>(page, 'GET', `Binary/${binaryId}`);
    expect(binary.body.contentType).toBe('application/pdf');
    expect(Buffer.from(binary.body.data, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // The lab's report arrives through the API, basedOn the order.
    const orders = await api<{ entry?: Array<{ resource: ServiceRequest }> }>(page, 'GET', `ServiceRequest?patient=${patient.id}`);
    const cbc = orders.body.entry![0]!.resource;
    const report = await api(page, 'POST', 'DiagnosticReport', {
      resourceType: 'DiagnosticReport',
      status: 'final',
      basedOn: [{ reference: `ServiceRequest/${cbc.id}` }],
      code: cbc.code,
      subject: { reference: `Patient/${patient.id}` },
      effectiveDateTime: new Date().toISOString(),
      conclusion: 'Within normal limits',
    });
    expect(report.status).toBe(201);
    await page.reload();
    const row = labs.getByRole('row', { name: /Complete blood count/ });
    await row.getByText('Within normal limits').waitFor();
    expect(await row.textContent()).toMatch(/Final/);
    await expectAccessible(page, 'an order with its result');
    await screenshot(page, 'orders-with-result');
    expect(problems).toEqual([]);
  });
});

/**
 * The chart at a glance in a real browser at 1366×768 (ux-checks UX-01, UX-10): on the demo's
 * complex patient, Eleanor Hartley, the banner, every panel's heading, the first five problems and
 * medications, all allergies and the latest blood pressure, heart rate and weight with their date
 * are in view without scrolling; lists longer than the panel offer "+N more"; flags are words and
 * symbols; the banner of a deceased patient gives the date and age at death, never a living age.
 * axe-core on every state.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoServer, expectAccessible, launchBrowser, newPage, screenshot, signIn } from './browser-fixture.ts';
import { ApiClient } from './chart-api-client.ts';

const ELEANOR = 'demo-eleanor-hartley';

describe('chart at a glance', () => {
  let server: DemoServer;
  let browser: Browser;
  let api: ApiClient;

  beforeAll(async () => {
    [server, browser] = await Promise.all([DemoServer.start(), launchBrowser()]);
    api = await ApiClient.forDemo(server);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the complex patient’s summary is all in view at 1366×768, flagged, trended and linked', async () => {
    const { context, page, problems } = await newPage(browser);
    try {
      await signIn(page, server.origin, server.account('physician'));
      const started = Date.now();
      await page.goto(`${server.origin}/patients/${ELEANOR}`);
      await glanceComplete(page);
      const elapsed = Date.now() - started;
      console.log(`chart at a glance of ${ELEANOR}: complete ${elapsed} ms after navigation (page load included)`);

      const banner = page.getByRole('region', { name: 'Patient' });
      await expectFullyInViewport(page, banner, 'banner');
      expect(await banner.textContent()).toMatch(/Hartley, Eleanor Marie.*Age\s*\d+ y.*MRN\s*D-100042/);
      expect(await banner.textContent()).toMatch(/Allergies \(5\): Penicillin G, Peanut/);

      for (const heading of ['Problems', 'Medications', 'Allergies', 'Immunizations', 'Latest vitals', 'Recent results', 'Upcoming', 'Recent visits', 'Notes and documents']) {
        await expectFullyInViewport(page, page.getByRole('heading', { name: heading, exact: true }), `heading ${heading}`);
      }
      const problemsList = page.getByRole('list', { name: 'Active problems' }).getByRole('listitem');
      const medsList = page.getByRole('list', { name: 'Current medications' }).getByRole('listitem');
      const allergyList = page.getByRole('list', { name: /^Allergies/ }).getByRole('listitem');
      for (let i = 0; i < 5; i++) {
        await expectFullyInViewport(page, problemsList.nth(i), `problem ${i + 1}`);
        await expectFullyInViewport(page, medsList.nth(i), `medication ${i + 1}`);
      }
      expect(await allergyList.count()).toBe(5);
      for (let i = 0; i < 5; i++) await expectFullyInViewport(page, allergyList.nth(i), `allergy ${i + 1}`);
      // High criticality first, said in words.
      expect(await allergyList.nth(0).textContent()).toMatch(/High risk/);
      expect(await allergyList.nth(4).textContent()).not.toMatch(/High risk/);

      // 15 active problems, 12 medications: the panels say how many more there are, and link to them.
      const moreProblems = page.getByRole('link', { name: '+7 more active problems' });
      await expectFullyInViewport(page, moreProblems, '+N more problems');
      expect(await moreProblems.getAttribute('href')).toBe(`/patients/${ELEANOR}/problems`);
      await expectFullyInViewport(page, page.getByRole('link', { name: '+4 more medications' }), '+N more medications');
      // Resolved problems are shown apart, struck through.
      expect(await page.locator('.glance-inactive').textContent()).toMatch(/Resolved.*(Iron deficiency anemia|Asthma)/);

      // Latest vitals (UX-10): value, units, trend and date for BP, heart rate and weight.
      const vitals = page.getByRole('table', { name: 'Latest vital signs' });
      for (const [key, pattern] of [
        ['bp', /Blood pressure\s*\d{2,3}\/\d{2,3}\s*mmHg/],
        ['heartRate', /Heart rate\s*\d{2,3}\s*\/min/],
        ['weight', /Weight\s*\d{2,3}(\.\d)?\s*kg/],
      ] as const) {
        const row = vitals.locator(`tr[data-vital="${key}"]`);
        await expectFullyInViewport(page, row, `vital ${key}`);
        expect(await row.textContent()).toMatch(pattern);
        expect(await row.locator('td').last().textContent()).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}$/);
        expect(await row.locator('.trend-mark').count()).toBe(1);
      }
      // Her weight fell over three years: an arrow and words, not colour.
      expect(await vitals.locator('tr[data-vital="weight"] .trend-mark .visually-hidden').textContent()).toMatch(/^(down|steady|up) from \d+(\.\d)? kg$/);

      // Results: abnormal ones carry a symbol and a word; each test links to its history.
      const results = page.getByRole('table', { name: 'Latest result of each test' });
      const flagged = results.locator('tr[data-flag="high"], tr[data-flag="low"], tr[data-flag="critical-high"]');
      expect(await flagged.count()).toBeGreaterThan(0);
      expect(await flagged.first().locator('.h-badge').textContent()).toMatch(/^(H High|L Low|HH Critically high)$/);
      expect(await results.getByRole('link', { name: /A1c/ }).first().getAttribute('href')).toMatch(new RegExp(`^/patients/${ELEANOR}/results\\?test=`));

      await screenshot(page, 'chart-glance');
      await expectAccessible(page, 'the chart at a glance');
      // Nothing scrolls: the summary fits the window.
      expect(await page.evaluate<number>('document.documentElement.scrollHeight - window.innerHeight')).toBeLessThanOrEqual(0);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a deceased patient’s banner gives the date and age at death; "no known allergies" is told apart from "not recorded"', async () => {
    await api.put({
      resourceType: 'Patient',
      id: 'chart-test-deceased',
      name: [{ use: 'official', family: 'Ashworth', given: ['Harold'] }],
      gender: 'male',
      birthDate: '1938-04-02',
      deceasedDateTime: '2025-11-20T08:30:00Z',
      identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, system: 'urn:heron:test:mrn', value: 'T-900001' }],
    });
    await api.put({
      resourceType: 'AllergyIntolerance',
      id: 'chart-test-deceased-nka',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
      verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' }] },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '716186003', display: 'No known allergy' }] },
      patient: { reference: 'Patient/chart-test-deceased' },
    });
    await api.put({
      resourceType: 'Patient',
      id: 'chart-test-unrecorded',
      name: [{ use: 'official', family: 'Quill', given: ['Mara'] }],
      gender: 'female',
      birthDate: '1990-09-09',
    });
    const { context, page, problems } = await newPage(browser);
    try {
      await signIn(page, server.origin, server.account('physician'));
      await page.goto(`${server.origin}/patients/chart-test-deceased`);
      await glanceComplete(page);
      const banner = page.getByRole('region', { name: 'Patient' });
      await banner.getByText('No known allergies').waitFor();
      const text = (await banner.textContent()) ?? '';
      expect(text).toMatch(/Deceased Nov 20, 2025 aged 87 y/);
      expect(text).not.toMatch(/Age\s*\d/);
      expect(await page.locator('.glance').getByText('No known allergies').count()).toBe(1);
      await page.getByText('No active problems recorded.').waitFor();
      await expectAccessible(page, 'the chart of a deceased patient with empty panels');
      await screenshot(page, 'chart-glance-deceased');

      await page.goto(`${server.origin}/patients/chart-test-unrecorded`);
      await glanceComplete(page);
      await banner.getByText('Allergies not recorded').waitFor();
      expect(await page.locator('.glance').getByText('Allergies not recorded').count()).toBe(1);
      await expectAccessible(page, 'the chart of a patient whose allergies were never recorded');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a chart that cannot load says why and offers to try again', async () => {
    const { context, page, problems } = await newPage(browser);
    try {
      await signIn(page, server.origin, server.account('physician'));
      await page.route('**/fhir/R4/Observation/$lastn?*', (route) =>
        route.fulfill({ status: 500, contentType: 'application/fhir+json', body: JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', details: { text: 'The database did not answer in time.' } }] }) }),
      );
      await page.goto(`${server.origin}/patients/${ELEANOR}`);
      const alert = page.getByRole('alert').filter({ hasText: 'Could not load vital signs' });
      await alert.waitFor({ timeout: 30_000 });
      expect(await alert.textContent()).toMatch(/The database did not answer in time\..*Try again/);
      // The rest of the chart is still there.
      await page.getByRole('list', { name: 'Active problems' }).waitFor();
      await expectAccessible(page, 'the chart with a panel that failed');
      await screenshot(page, 'chart-glance-error');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

/** Every panel has finished loading (no skeleton left). */
async function glanceComplete(page: Page): Promise<void> {
  await page.locator('.glance').waitFor();
  await page.getByRole('region', { name: 'Patient' }).waitFor();
  await expect.poll(() => page.locator('.chart [role="status"]').count(), { timeout: 30_000, interval: 25 }).toBe(0);
}

/** Playwright's toBeInViewport({ ratio: 1 }): the whole box inside the window. */
async function expectFullyInViewport(page: Page, locator: Locator, what: string): Promise<void> {
  const box = await locator.boundingBox();
  expect(box, `${what} is rendered`).not.toBeNull();
  const viewport = page.viewportSize()!;
  expect(box!.x, `${what} left`).toBeGreaterThanOrEqual(0);
  expect(box!.y, `${what} top`).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, `${what} right`).toBeLessThanOrEqual(viewport.width);
  expect(box!.y + box!.height, `${what} bottom (${box!.y + box!.height} of ${viewport.height})`).toBeLessThanOrEqual(viewport.height);
}

/**
 * Vital signs and results in a real browser, on the demo's complex patient: a nurse records a set
 * of vitals (an implausible value is refused with its message; pounds and Fahrenheit are
 * converted; BMI is computed as she types), sees it in the flowsheet and the trend, and the stored
 * Observations follow the R4 vital-signs profiles; a physician opens a result's history. The trend
 * plot meets Sittig's criteria (UX-09): y-axis label with units, x proportional to time within 2%,
 * the reference band, value and date on hover and keyboard focus, abnormal points marked with
 * more than colour, a table one click away. The banner stays in view on every chart route (UX-02).
 * axe-core on every state.
 */
import type { Bundle, Observation } from '@medplum/fhirtypes';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoServer, expectAccessible, launchBrowser, newPage, screenshot, signIn } from './browser-fixture.ts';
import { ApiClient } from './chart-api-client.ts';

const ELEANOR = 'demo-eleanor-hartley';

describe('vital signs and results', () => {
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

  it('a nurse records vitals: an implausible value is refused, lb and °F are converted, BMI is live, and the set shows in the flowsheet and the trend', async () => {
    const { context, page, problems } = await newPage(browser);
    try {
      await signIn(page, server.origin, server.account('nurse'));
      await page.goto(`${server.origin}/patients/${ELEANOR}/vitals`);
      await page.getByRole('heading', { name: 'Record vital signs' }).waitFor();
      await page.getByRole('table').filter({ hasText: 'Heart rate' }).first().waitFor();

      // Implausible: refused with the message, nothing saved.
      const heartRate = page.getByRole('textbox', { name: 'Heart rate (/min)' });
      await heartRate.fill('720');
      await page.getByText('Heart rate of 720 /min is outside 20–300 /min; check the value and unit').waitFor();
      await page.getByRole('button', { name: 'Save vital signs' }).click();
      await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
      expect(await page.evaluate<string | null>('document.activeElement && document.activeElement.getAttribute("aria-invalid")')).toBe('true');
      await expectAccessible(page, 'the vitals form refusing an implausible value');
      await screenshot(page, 'vitals-implausible');

      await heartRate.fill('72');
      await page.getByRole('textbox', { name: 'Systolic (mmHg)' }).fill('128');
      await page.getByRole('textbox', { name: 'Diastolic (mmHg)' }).fill('78');
      await page.getByRole('textbox', { name: 'Temperature' }).fill('98.6');
      await chooseUnit(page, 'Temperature unit', '°F');
      await page.getByRole('textbox', { name: 'Weight' }).fill('154');
      await chooseUnit(page, 'Weight unit', 'lb');
      // BMI from the weight typed (154 lb = 69.85 kg) and her latest height (163 cm).
      await expect.poll(() => page.locator('.vitals-bmi').textContent(), { timeout: 30_000 }).toMatch(/26\.3 kg\/m² · Overweight \(latest height 163 cm\)/);
      await page.getByRole('button', { name: 'Save vital signs' }).click();
      await page.getByRole('status').filter({ hasText: /Saved 5 vital signs at \d\d:\d\d/ }).waitFor();
      // The form is empty again and the draft gone.
      expect(await heartRate.inputValue()).toBe('');

      // Stored as the R4 vital-signs profiles require.
      const weight = (await api.get<Bundle<Observation>>(`Observation?patient=${ELEANOR}&code=http://loinc.org|29463-7&_sort=-date&_count=1`)).entry![0]!.resource!;
      expect(weight).toMatchObject({
        status: 'final',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
        code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
        subject: { reference: `Patient/${ELEANOR}` },
        valueQuantity: { value: 69.85, system: 'http://unitsofmeasure.org', code: 'kg' },
        meta: { profile: ['http://hl7.org/fhir/StructureDefinition/bodyweight'] },
      });
      expect(weight.performer).toEqual([{ reference: 'Practitioner/demo-nurse' }]);
      const bp = (await api.get<Bundle<Observation>>(`Observation?patient=${ELEANOR}&code=http://loinc.org|85354-9&_sort=-date&_count=1`)).entry![0]!.resource!;
      expect(bp.component?.map((c) => [c.code.coding?.[0]?.code, c.valueQuantity?.value, c.valueQuantity?.code])).toEqual([
        ['8480-6', 128, 'mm[Hg]'],
        ['8462-4', 78, 'mm[Hg]'],
      ]);

      // The flowsheet's newest column is the set just saved.
      const flowsheet = page.locator('table.flowsheet');
      await expect.poll(() => flowsheet.locator('tr[data-vital="heartRate"] td').first().textContent(), { timeout: 30_000 }).toBe('72');
      expect(await flowsheet.locator('tr[data-vital="weight"] td').first().textContent()).toBe('69.85');
      expect(await flowsheet.locator('tr[data-vital="temperature"] td').first().textContent()).toBe('37');
      expect(await flowsheet.locator('tr[data-vital="systolic"] td').first().textContent()).toBe('128');

      // The weight trend ends with the new value, on the right.
      await flowsheet.getByRole('button', { name: /^Weight/ }).click();
      await page.getByText('Weight (kg) over time').waitFor();
      const points = page.locator('.trend-point');
      await expect.poll(() => points.last().getAttribute('data-value'), { timeout: 30_000 }).toBe('69.85');
      await expectSittig(page, { label: 'Weight (kg)', band: false });
      await expectAccessible(page, 'the vitals screen after saving');
      await screenshot(page, 'vitals-saved');

      // Systolic: the usual adult range as a band.
      await flowsheet.getByRole('button', { name: /^Systolic/ }).click();
      await page.getByText('Systolic blood pressure (mmHg) over time').waitFor();
      await expectSittig(page, { label: 'Systolic blood pressure (mmHg)', band: true });
      await screenshot(page, 'vitals-trend-systolic');
      await expectBannerAfterScrolling(page);

      // The set was a mistake: marked entered in error with a reason, it leaves the flowsheet and stays in the record, marked.
      const setTime = await flowsheet.locator('thead th').nth(1).locator('.flowsheet-time').textContent();
      await flowsheet.locator('tfoot td').first().getByRole('button', { name: /as entered in error$/ }).click();
      const dialog = page.getByRole('dialog', { name: /as entered in error$/ });
      await dialog.getByText(/For Hartley, Eleanor/).waitFor();
      await dialog.getByRole('button', { name: 'Mark as entered in error' }).click();
      await dialog.getByText('Say why, for whoever reads the record later.').waitFor();
      await expectAccessible(page, 'marking a set of vital signs entered in error');
      await screenshot(page, 'vitals-entered-in-error');
      await dialog.getByRole('textbox', { name: 'Reason' }).fill('Recorded in the wrong chart');
      await dialog.getByRole('button', { name: 'Mark as entered in error' }).click();
      await dialog.waitFor({ state: 'detached' });
      await expect.poll(() => flowsheet.locator('tr[data-vital="heartRate"] td').first().textContent(), { timeout: 30_000 }).not.toBe('72');
      expect(await flowsheet.locator('thead th').nth(1).locator('.flowsheet-time').textContent()).not.toBe(setTime);
      const marked = await api.get<Observation>(`Observation/${weight.id}`);
      expect(marked.status).toBe('entered-in-error');
      expect(marked.note?.at(-1)?.text).toBe('Entered in error: Recorded in the wrong chart');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a physician reads results by panel and opens a test’s history as a plot and a table', async () => {
    const { context, page, problems } = await newPage(browser);
    try {
      await signIn(page, server.origin, server.account('physician'));
      await page.goto(`${server.origin}/patients/${ELEANOR}`);
      await page.getByRole('table', { name: 'Latest result of each test' }).getByRole('link', { name: /A1c/ }).click();
      await page.waitForURL(/\/results\?test=4548-4$/);
      // Panels: each result with its units, reference range and flag.
      const panel = page.getByRole('region', { name: /^Basic metabolic panel/ }).first();
      await panel.waitFor();
      const potassium = panel.locator('tr', { hasText: 'Potassium' });
      expect(await potassium.textContent()).toMatch(/Potassium\s*\d\.\d\s*mmol\/L\s*3\.5–5\.1 mmol\/L/);
      await page.getByText('Hemoglobin A1c/Hemoglobin.total: history').or(page.getByText(/A1c.*: history/)).first().waitFor();
      const history = page.locator('.results-history');
      expect(await history.locator('.results-history-table tbody tr').count()).toBeGreaterThanOrEqual(13);
      expect(await history.locator('.results-history-table tbody tr').first().textContent()).toMatch(/\d+\.\d\s*%\s*(4|4\.0)–5\.6 %/);
      await expectSittig(page, { label: /A1c.*\(%\)/, band: true, abnormal: true });
      await expectAccessible(page, 'a result’s history');
      await screenshot(page, 'results-history');

      // The table is one click away.
      await history.getByRole('button', { name: 'Show as table' }).click();
      const table = history.getByRole('grid', { name: /A1c.*newest first/ });
      await table.waitFor();
      expect(await table.getByRole('row').count()).toBeGreaterThan(13);
      await expectAccessible(page, 'a result’s history as a table');
      await history.getByRole('button', { name: 'Show as plot' }).click();
      await expectBannerAfterScrolling(page);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the banner stays in view on every chart route, scrolled to the bottom (UX-02)', async () => {
    const { context, page } = await newPage(browser);
    try {
      await page.setViewportSize({ width: 1366, height: 500 });
      await signIn(page, server.origin, server.account('physician'));
      for (const route of ['', '/vitals', '/results', '/results?test=2823-3']) {
        await page.goto(`${server.origin}/patients/${ELEANOR}${route}`);
        await page.getByRole('region', { name: 'Patient' }).waitFor();
        await expect.poll(() => page.locator('.chart [role="status"][aria-live="polite"] .h-skeleton').count(), { timeout: 30_000 }).toBe(0);
        await expectBannerAfterScrolling(page);
      }
    } finally {
      await context.close();
    }
  });
});

async function chooseUnit(page: Page, label: string, unit: string): Promise<void> {
  await page.getByRole('button', { name: new RegExp(label) }).click();
  await page.getByRole('option', { name: unit, exact: true }).click();
}

async function expectBannerAfterScrolling(page: Page): Promise<void> {
  await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
  const box = await page.getByRole('region', { name: 'Patient' }).boundingBox();
  expect(box).not.toBeNull();
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.y + box!.height).toBeLessThanOrEqual(page.viewportSize()!.height);
  await page.evaluate('window.scrollTo(0, 0)');
}

/** Sittig's criteria on the plot shown (ux-checks UX-09). */
async function expectSittig(page: Page, o: { label: string | RegExp; band: boolean; abnormal?: boolean }): Promise<void> {
  const plot = page.locator('figure.trend').first();
  await plot.scrollIntoViewIfNeeded();
  // The y-axis names the measure and its units.
  const axisLabel = (await plot.locator('.trend-axis-label').textContent()) ?? '';
  if (typeof o.label === 'string') expect(axisLabel).toBe(o.label);
  else expect(axisLabel).toMatch(o.label);
  // Oldest to newest, left to right, x proportional to time (within 2% of the axis).
  const points = plot.locator('.trend-point');
  const n = await points.count();
  expect(n).toBeGreaterThanOrEqual(3);
  const measured: Array<{ t: number; x: number }> = [];
  for (let i = 0; i < n; i++) {
    const p = points.nth(i);
    const box = (await p.locator('circle, path, rect').first().boundingBox())!;
    measured.push({ t: Number(await p.getAttribute('data-time')), x: box.x + box.width / 2 });
  }
  const first = measured[0]!;
  const last = measured[measured.length - 1]!;
  expect(last.t).toBeGreaterThan(first.t);
  expect(last.x).toBeGreaterThan(first.x);
  const axisWidth = last.x - first.x;
  for (const p of measured) {
    const expected = first.x + ((p.t - first.t) / (last.t - first.t)) * axisWidth;
    expect(Math.abs(p.x - expected) / axisWidth, `point at ${new Date(p.t).toISOString()}`).toBeLessThan(0.02);
  }
  // The reference range as a band.
  expect(await plot.locator('rect.trend-band').count()).toBe(o.band ? 1 : 0);
  // Abnormal points: their own shape and a letter, not only a colour.
  if (o.abnormal) {
    const flagged = plot.locator('.trend-point:not([data-flag="none"]):not([data-flag="normal"])');
    expect(await flagged.count()).toBeGreaterThan(0);
    expect(await flagged.first().locator('text.trend-point-letter').textContent()).toMatch(/^(H|L|HH|LL|A|AA)$/);
    expect(await flagged.first().locator('circle.trend-point-normal').count()).toBe(0);
  }
  // Hover: the value and date of the point under the pointer.
  const lastMark = points.last().locator('circle, path, rect').first();
  const box = (await lastMark.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const tooltip = plot.locator('.trend-tooltip');
  await tooltip.waitFor();
  const value = await points.last().getAttribute('data-value');
  const date = new Date(Number(await points.last().getAttribute('data-time')));
  expect(await tooltip.textContent()).toContain(value!);
  expect(await tooltip.textContent()).toMatch(new RegExp(`${date.getUTCDate()} ${date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' })} ${date.getUTCFullYear()}`));
  await page.mouse.move(0, 0);
  await tooltip.waitFor({ state: 'detached' });
  // Keyboard: focus the plot, arrows move from point to point; the value and date are shown and announced.
  const frame = plot.locator('.trend-frame');
  await frame.focus();
  await tooltip.waitFor();
  expect(await tooltip.textContent()).toContain(value!);
  await page.keyboard.press('ArrowLeft');
  const previous = await points.nth(n - 2).getAttribute('data-value');
  await expect.poll(() => plot.locator('[aria-live="polite"]').textContent(), { timeout: 30_000 }).toMatch(new RegExp(`^${previous!.replace('.', '\\.')} .* on \\d{1,2} [A-Z][a-z]{2} \\d{4}, \\d\\d:\\d\\d`));
  expect(await points.nth(n - 2).getAttribute('data-active')).toBe('true');
}


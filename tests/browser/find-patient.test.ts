/**
 * Finding a patient from the top bar's search box, in a real browser against `heron serve --demo`:
 * by name (two words, either order, prefixes), by date of birth in two formats, by MRN and by
 * phone; each result tells patients apart (birth date and age, sex, MRN, phone); arrow keys and
 * Enter open the chart; the patients opened lately are offered when the box is focused and empty.
 * The demo's complex patient is the one searched for: Eleanor Marie Hartley, born 1952-06-14,
 * MRN D-100042, phone 555-201-4477.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoServer, expectAccessible, launchBrowser, newPage, screenshot, signIn } from './browser-fixture.ts';

describe('find a patient from the search box', { timeout: 180_000 }, () => {
  let server: DemoServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([DemoServer.start(), launchBrowser()]);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const box = (page: Page) => page.getByRole('combobox', { name: 'Find a patient' });
  const hartley = (page: Page) => page.getByRole('option', { name: /^Hartley, Eleanor Marie/ });

  /** Types `text` into the box and waits for Eleanor Hartley among the results, with what identifies her. */
  async function expectHartleyFor(page: Page, text: string, understood: RegExp): Promise<void> {
    await box(page).fill('');
    await box(page).fill(text);
    await hartley(page).waitFor();
    const option = await hartley(page).textContent();
    expect(option).toMatch(/Jun 14, 1952 \(\d+ y\)/);
    expect(option).toMatch(/Female/);
    expect(option).toMatch(/MRN D-100042/);
    expect(option).toMatch(/Phone 555-201-4477/);
    await expect.poll(() => page.locator('.patient-search-understood').textContent(), { timeout: 30_000 }).toMatch(understood);
  }

  it('finds by name in either order and by prefixes, by birth date in two formats, by MRN and by phone', async () => {
    const { context, page, problems } = await newPage(browser);
    try {
      await signIn(page, server.origin, server.account('physician'));
      await page.getByRole('heading', { name: 'Today’s patients' }).waitFor();

      await expectHartleyFor(page, 'eleanor hartley', /Name “eleanor” “hartley”/);
      await expectHartleyFor(page, 'hart elea', /Name “hart” “elea”/);
      await expectAccessible(page, 'search results by name');
      await screenshot(page, 'find-by-name');

      await expectHartleyFor(page, '6/14/1952', /Born 1952-06-14/);
      await expectHartleyFor(page, '14 June 1952', /Born 1952-06-14/);
      await expectHartleyFor(page, 'hartley 1952-06-14', /Name “hartley” · Born 1952-06-14/);
      await screenshot(page, 'find-by-birth-date');

      await expectHartleyFor(page, 'D-100042', /MRN or identifier D-100042/);
      await expectHartleyFor(page, '(555) 201-4477', /Phone 555-201-4477/);
      await expectAccessible(page, 'search results by phone');
      await screenshot(page, 'find-by-phone');

      // Nobody: said so, with what to try.
      await box(page).fill('zzqx wwvy');
      await page.getByText(/No patient matches/).waitFor();
      await expectAccessible(page, 'no search results');
      await screenshot(page, 'find-no-match');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('"/" focuses the box, arrow keys and Enter open the chart, and opened patients are offered when the box is empty', async () => {
    const { context, page, problems } = await newPage(browser);
    try {
      await signIn(page, server.origin, server.account('nurse'));
      await page.getByRole('heading', { name: 'Rooming', level: 1 }).waitFor();
      // Nothing opened yet: the empty box says what it takes.
      await page.keyboard.press('/');
      await expect.poll(() => page.evaluate<string | null>("document.activeElement && document.activeElement.getAttribute('role')"), { timeout: 30_000 }).toBe('combobox');
      await page.getByText(/Patients you open are listed here/).waitFor();
      await expectAccessible(page, 'the empty search box, nothing opened yet');

      await page.keyboard.type('hartley');
      await hartley(page).waitFor();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/patients\/demo-eleanor-hartley$/);
      await page.getByRole('region', { name: 'Patient' }).getByRole('heading', { name: /Hartley/ }).waitFor();

      // A second patient, opened from the search as well.
      await page.keyboard.press('/');
      await page.keyboard.type('cummings');
      const other = page.getByRole('option', { name: /^Cummings/ }).first();
      await other.waitFor();
      await other.click();
      await page.waitForURL((url) => /\/patients\//.test(url.pathname) && !url.pathname.endsWith('demo-eleanor-hartley'));
      await page.getByRole('region', { name: 'Patient' }).getByRole('heading', { name: /Cummings/ }).waitFor();

      // Focused and empty: the recent patients, newest first.
      await page.keyboard.press('/');
      await page.getByText('Recently opened').waitFor();
      const options = page.getByRole('option');
      await expect.poll(() => options.count(), { timeout: 30_000 }).toBe(2);
      expect(await options.nth(0).textContent()).toMatch(/^Cummings/);
      expect(await options.nth(1).textContent()).toMatch(/^Hartley, Eleanor Marie/);
      await expectAccessible(page, 'recent patients');
      await screenshot(page, 'find-recent');
      // Keyboard only (a pointer resting on a row would make it the active one).
      await page.mouse.move(1300, 700);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/patients\/demo-eleanor-hartley$/);

      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

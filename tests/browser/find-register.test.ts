/**
 * Registering a patient at the front desk, in a real browser against `heron serve --demo`: the
 * form refuses what is missing; the duplicate check (Patient/$match) runs before anything is saved
 * and shows an existing patient as a probable match (same name and birth date: Eleanor Hartley)
 * or a certain one (same SSN as a sample patient), with no way to register the certain one again;
 * a genuinely new patient is registered and their chart opens. axe on every state.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoServer, expectAccessible, launchBrowser, newPage, screenshot, signIn } from './browser-fixture.ts';

describe('register a patient with a duplicate check', { timeout: 180_000 }, () => {
  let server: DemoServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([DemoServer.start(), launchBrowser()]);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function fill(page: Page, fields: Record<string, string>, sex?: string): Promise<void> {
    for (const [label, value] of Object.entries(fields)) await page.getByRole('textbox', { name: label, exact: true }).fill(value);
    if (sex) {
      await page.getByRole('button', { name: /Sex/ }).click();
      await page.getByRole('option', { name: sex, exact: true }).click();
    }
  }

  it('the front desk registers from home: missing fields, a probable and a certain duplicate, then a new patient', async () => {
    const { context, page, problems } = await newPage(browser);
    try {
      await signIn(page, server.origin, server.account('front-desk'));
      await page.getByRole('heading', { name: 'Front desk', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'Register a patient' }).click();
      await page.getByRole('heading', { name: 'Register a patient' }).waitFor();
      await expectAccessible(page, 'the empty register form');

      // Nothing typed: each missing field says so, and nothing is sent.
      await page.getByRole('button', { name: 'Check and register' }).click();
      await page.getByText('Enter the family name (surname).').waitFor();
      await page.getByText(/Correct the 4 fields marked above/).waitFor();
      await expectAccessible(page, 'the register form with errors');
      await screenshot(page, 'register-errors');

      // The demo's Eleanor Hartley again, birth date in another format: a probable match, before saving.
      await fill(page, { 'Family name': 'Hartley', 'Given names': 'Eleanor', 'Date of birth': '14 Jun 1952' }, 'Female');
      await page.getByRole('button', { name: 'Check and register' }).click();
      const duplicates = page.getByRole('region', { name: /Possible duplicates/ });
      await duplicates.waitFor();
      const hartley = duplicates.getByRole('listitem').filter({ hasText: 'Hartley, Eleanor Marie' });
      await expect.poll(() => hartley.textContent(), { timeout: 30_000 }).toMatch(/Probable match.*MRN D-100042/);
      await expectAccessible(page, 'a probable duplicate');
      await screenshot(page, 'register-probable-duplicate');

      // Someone else's SSN (a sample patient's): a certain match, which cannot be registered again.
      await fill(page, { 'Family name': 'Hartwell', 'Given names': 'Albert', 'Date of birth': '3/3/1980', 'Social Security number': '999-30-7608' }, 'Male');
      await page.getByRole('button', { name: 'Check and register' }).click();
      await duplicates.getByText('Certain match').waitFor();
      await duplicates.getByText(/This patient is already registered/).waitFor();
      expect(await page.getByRole('button', { name: 'Register as a new patient' }).count()).toBe(0);
      await expectAccessible(page, 'a certain duplicate');
      await screenshot(page, 'register-certain-duplicate');

      // A new person: no likely duplicates, registered at once, and the new chart opens.
      await fill(page, { 'Family name': 'Vantreese', 'Given names': 'Quillon Ames', 'Date of birth': '1991-03-09', 'Social Security number': '', Phone: '(555) 777-1234', MRN: 'F-55501' }, 'Male');
      await page.getByRole('button', { name: 'Check and register' }).click();
      await page.waitForURL(/\/patients\/[^/]+$/);
      const banner = page.getByRole('region', { name: 'Patient' });
      await banner.getByRole('heading', { name: 'Vantreese, Quillon Ames' }).waitFor();
      await expect.poll(() => banner.textContent(), { timeout: 30_000 }).toMatch(/F-55501/);
      await screenshot(page, 'register-new-chart');

      // Registering the same person again finds them as certain (the MRN), so no second chart.
      await page.goto(`${server.origin}/register`);
      await fill(page, { 'Family name': 'Vantreese', 'Given names': 'Quillon', 'Date of birth': '3/9/1991', MRN: 'F-55501' }, 'Male');
      await page.getByRole('button', { name: 'Check and register' }).click();
      await duplicates.getByText('Certain match').waitFor();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a physician confirms a new registration despite a possible duplicate', async () => {
    const { context, page, problems } = await newPage(browser);
    try {
      await signIn(page, server.origin, server.account('physician'));
      await page.getByRole('link', { name: 'Register a patient' }).click();
      // A similar name with the same birth date: possible, not the same person.
      await fill(page, { 'Family name': 'Hartly', 'Given names': 'Eleanor', 'Date of birth': '6/14/1952' }, 'Female');
      await page.getByRole('button', { name: 'Check and register' }).click();
      const duplicates = page.getByRole('region', { name: /Possible duplicates/ });
      await duplicates.getByText(/Possible match|Probable match/).first().waitFor();
      await page.getByRole('button', { name: 'Register as a new patient' }).click();
      await page.getByRole('region', { name: 'Patient' }).getByRole('heading', { name: 'Hartly, Eleanor' }).waitFor();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

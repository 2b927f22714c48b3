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
import { checkerPng, htmlNamedPdf, hugePdf, letterPdf } from './document-files.ts';

const CHART = '/patients/demo-eleanor-hartley';

describe('documents and visits in the chart', { timeout: 180_000 }, () => {
  let server: DemoServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([DemoServer.start(), launchBrowser()]);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('uploads a PDF and a picture, lists and shows them inline, and refuses a disguised and an oversized file', async () => {
    const { context, page, problems } = await newPage(browser);
    try {
      await signIn(page, server.origin, server.account('physician'));
      await page.goto(`${server.origin}${CHART}/documents`);
      await page.getByRole('region', { name: 'Patient' }).getByRole('heading', { name: /Hartley/ }).waitFor();
      await page.getByText('No documents in this chart yet.').waitFor();
      await page.getByText(/PDF, PNG, JPEG or WebP, up to 20 MB/).waitFor();
      await expectAccessible(page, 'documents, none yet');
      await screenshot(page, 'documents-empty');

      const input = page.locator('input[type=file]');
      // HTML named .pdf: refused by its content before anything is sent.
      await input.setInputFiles({ name: 'letter.pdf', mimeType: 'application/pdf', buffer: htmlNamedPdf() });
      await page.getByRole('alert').filter({ hasText: '“letter.pdf” is not a PDF, PNG, JPEG or WebP file' }).waitFor();
      expect(await page.getByRole('button', { name: 'Upload to the chart' }).isDisabled()).toBe(true);
      await expectAccessible(page, 'a refused file');
      await screenshot(page, 'documents-refused-type');
      await input.setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: hugePdf() });
      await page.getByRole('alert').filter({ hasText: /“scan.pdf” is 21 MB; files can be up to 20 MB/ }).waitFor();

      // A PDF letter.
      await input.setInputFiles({ name: 'cardiology-letter.pdf', mimeType: 'application/pdf', buffer: letterPdf() });
      await page.getByText(/cardiology-letter.pdf \(PDF, /).waitFor();
      await page.getByRole('textbox', { name: 'Description' }).fill('Cardiology letter, Dr Osei');
      await page.getByRole('button', { name: 'Upload to the chart' }).click();
      const table = page.getByRole('grid', { name: /Documents/ });
      await table.getByRole('row').filter({ hasText: 'Cardiology letter, Dr Osei' }).waitFor();
      expect(await table.getByRole('row').filter({ hasText: 'Cardiology letter, Dr Osei' }).textContent()).toMatch(/Consult note or referral letter.*Dana Whitfield.*PDF/);
      const pdf = page.locator('iframe.viewer-pdf');
      await pdf.waitFor();
      expect(await pdf.getAttribute('src')).toMatch(/^blob:/);
      await expectAccessible(page, 'a PDF shown inline');
      await screenshot(page, 'documents-pdf');

      // A picture (an insurance card).
      await input.setInputFiles({ name: 'card.png', mimeType: 'image/png', buffer: checkerPng() });
      await page.getByRole('button', { name: /Type/ }).click();
      await page.getByRole('option', { name: 'Insurance card or ID' }).click();
      await page.getByRole('textbox', { name: 'Description' }).fill('Insurance card, front');
      await page.getByRole('button', { name: 'Upload to the chart' }).click();
      const cardRow = table.getByRole('row').filter({ hasText: 'Insurance card, front' });
      await cardRow.waitFor();
      await cardRow.click();
      const image = page.getByRole('img', { name: 'Insurance card, front' });
      await image.waitFor();
      expect(await image.getAttribute('src')).toMatch(/^blob:/);
      await expect.poll(() => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: 30_000 }).toBe(160);
      await expectAccessible(page, 'a picture shown inline');
      await screenshot(page, 'documents-image');
      expect(await table.getByRole('row').count()).toBe(3); // header and two documents
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the visit timeline opens a visit to what was recorded in it', async () => {
    const { context, page, problems } = await newPage(browser);
    try {
      await signIn(page, server.origin, server.account('physician'));
      await page.goto(`${server.origin}${CHART}/encounters`);
      await page.getByRole('heading', { name: 'Visit history' }).waitFor();
      const visits = page.locator('.timeline-item');
      await expect.poll(() => visits.count(), { timeout: 30_000 }).toBeGreaterThan(10);
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

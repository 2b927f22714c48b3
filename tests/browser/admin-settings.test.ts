/**
 * Practice settings in a real browser: a practice administrator changes the practice's name,
 * address, phone and logo and when results are released; a mistake is shown at its field (the
 * form's own check, and the server's answer placed by its expression); leaving with unsaved
 * changes asks first; a reload shows what was saved. Then a physician's after-visit summary
 * carries the new name and address, and the physician is refused the settings page. Screenshots
 * at 1366×768, axe on every state.
 */
import { inflateSync } from 'node:zlib';
import type { DocumentReference, Organization } from '@medplum/fhirtypes';
import { PDFDocument } from 'pdf-lib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoServer, expectAccessible, launchBrowser, newPage, screenshot, signIn } from './browser-fixture.ts';
import { api } from './lists-fixture.ts';

const NAME = 'Riverside Family Medicine';
const ADDRESS = '12 River Road, Springfield, IL 62701';

/** The text pdf-lib drew (hex strings in the inflated content streams), for checking what a printout says. */
function pdfText(bytes: Buffer): string {
  let text = '';
  const raw = bytes.toString('latin1');
  for (const m of raw.matchAll(/stream\r?\n/g)) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    try {
      const content = inflateSync(bytes.subarray(start, end)).toString('latin1');
      for (const hex of content.matchAll(/<([0-9A-Fa-f]+)>\s*Tj/g)) text += Buffer.from(hex[1]!, 'hex').toString('latin1') + '\n';
    } catch {
      // Not a deflated content stream (fonts, images).
    }
  }
  return text;
}

/** The PDF a print dialog shows, filed to the chart and read back (the page's CSP keeps its blob URL from fetch). */
async function filedPdf(page: Page, patientId: string): Promise<Buffer> {
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'File to the chart' }).click();
  await dialog.getByRole('status').filter({ hasText: 'Filed to the chart' }).waitFor();
  const filed = await api<{ entry: Array<{ resource: DocumentReference }> }>(page, 'GET', `DocumentReference?patient=${patientId}&type=urn:heron:document-type|after-visit-summary&_sort=-_lastUpdated&_count=1`);
  const binaryId = filed.body.entry[0]!.resource.content[0]!.attachment.url!.replace(/^Binary\//, '');
  const binary = await api<{ data: string }>(page, 'GET', `Binary/${binaryId}`);
  return Buffer.from(binary.body.data, 'base64');
}

/** A small logo drawn by the browser, as PNG bytes. */
async function drawnLogo(page: Page): Promise<Buffer> {
  // Runs in the page (a string: this file is type-checked without the DOM library).
  const dataUrl = await page.evaluate<string>(`(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 360;
    canvas.height = 120;
    const g = canvas.getContext('2d');
    g.fillStyle = '#0b5f73';
    g.beginPath();
    g.arc(60, 60, 50, 0, Math.PI * 2);
    g.fill();
    g.fillStyle = '#ffffff';
    g.font = 'bold 56px sans-serif';
    g.fillText('R', 42, 80);
    g.fillStyle = '#0d3340';
    g.font = 'bold 40px sans-serif';
    g.fillText('Riverside', 125, 76);
    return canvas.toDataURL('image/png');
  })()`);
  return Buffer.from(dataUrl.split(',')[1]!, 'base64');
}

describe('practice settings', () => {
  let server: DemoServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([DemoServer.start(), launchBrowser()]);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a practice administrator changes the details and the results release, and a reload shows them saved', async () => {
    const { context, page, problems } = await newPage(browser);
    try {
      await signIn(page, server.origin, server.account('practice-admin'));
      // Loading, then a failed read: the settings' search is held, then answered with an error (each retry too).
      let answer: (() => void) | undefined;
      const held = new Promise<void>((resolve) => (answer = resolve));
      await page.route(
        '**/fhir/R4/Organization?*',
        async (route) => {
          await held;
          await route.fulfill({ status: 503, contentType: 'application/fhir+json', body: JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient', diagnostics: 'The database is not answering.' }] }) });
        },
      );
      await page.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name: 'Practice settings' }).click();
      await page.getByRole('heading', { name: 'Practice settings', level: 1 }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Loading the practice settings' }).waitFor();
      await expectAccessible(page, 'practice settings, loading');
      await screenshot(page, 'admin-settings-loading');
      answer!();
      await page.getByText('Could not load the practice settings').waitFor();
      await page.getByText('The database is not answering.').waitFor();
      await expectAccessible(page, 'practice settings, not loaded');
      await screenshot(page, 'admin-settings-load-error');
      await page.unroute('**/fhir/R4/Organization?*');
      await page.getByRole('button', { name: 'Try again' }).click();
      const name = page.getByRole('textbox', { name: 'Practice name' });
      await name.waitFor();
      expect(await name.inputValue()).toBe('Demo Practice');
      await page.getByRole('list').filter({ hasText: 'min' }).first().waitFor();
      expect(await page.getByRole('radio', { name: /Immediately/ }).isChecked()).toBe(true);
      await expectAccessible(page, 'practice settings, as opened');
      await screenshot(page, 'admin-settings');

      // The visit types are the schedule's own dialog.
      await page.getByRole('button', { name: 'Edit visit types' }).click();
      await page.getByRole('dialog', { name: 'Visit types' }).waitFor();
      await expectAccessible(page, 'the visit types dialog from the settings');
      await screenshot(page, 'admin-settings-visit-types');
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'hidden' });

      await name.fill(NAME);
      await page.getByRole('textbox', { name: 'Street address' }).fill('12 River Road');
      await page.getByRole('textbox', { name: 'City' }).fill('Springfield');
      await page.getByRole('textbox', { name: 'State' }).fill('IL');
      await page.getByRole('textbox', { name: 'ZIP code' }).fill('62701');
      await page.getByRole('textbox', { name: 'Phone' }).fill('(217) 555-0100');
      await page.locator('input[type=file]').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: await drawnLogo(page) });
      await page.getByRole('img', { name: "The practice's logo as it will print" }).waitFor();
      await page.getByText('After a delay').click();
      const days = page.getByRole('textbox', { name: 'Days after the result is final' });
      await days.fill('40');
      await page.getByText('Unsaved changes').waitFor();

      // The form's own check: at the field, and nothing sent.
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('alert').filter({ hasText: 'One field needs attention; nothing was saved.' }).waitFor();
      expect(await days.getAttribute('aria-invalid')).toBe('true');
      await page.getByText('A whole number of days from 1 to 14.').waitFor();
      // The first field to correct has the focus.
      expect(await days.evaluate((el) => el === (el as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement)).toBe(true);
      await expectAccessible(page, 'practice settings with a field to correct');
      await screenshot(page, 'admin-settings-field-error');

      // The server's refusal is placed at the field its OperationOutcome names (here answered
      // for the server once, since the form already checks every range the server does).
      await days.fill('5');
      await page.getByRole('textbox', { name: 'Idle time-out (minutes)' }).fill('10');
      await page.route('**/fhir/R4/Organization/*', (route) =>
        route.request().method() === 'PUT'
          ? route.fulfill({
              status: 422,
              contentType: 'application/fhir+json',
              body: JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'business-rule', diagnostics: 'The idle time-out is from 5 to 30 minutes.', expression: ["Organization.extension('https://heron.dev/fhir/StructureDefinition/idle-timeout-minutes')"] }] }),
            })
          : route.fallback(),
        { times: 1 },
      );
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByText('The idle time-out is from 5 to 30 minutes.').waitFor();
      expect(await page.getByRole('textbox', { name: 'Idle time-out (minutes)' }).getAttribute('aria-invalid')).toBe('true');
      expect(await name.inputValue()).toBe(NAME);
      await expectAccessible(page, "practice settings with the server's refusal at its field");
      await screenshot(page, 'admin-settings-server-error');

      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('status').filter({ hasText: /^✓ Saved at \d\d:\d\d/ }).waitFor();
      await expectAccessible(page, 'practice settings, saved');
      await screenshot(page, 'admin-settings-saved');

      // Leaving with unsaved changes asks first.
      await page.getByRole('textbox', { name: 'Phone' }).fill('(217) 555-0199');
      await page.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name: 'Overview' }).click();
      const leave = page.getByRole('alertdialog', { name: 'Leave without saving?' });
      await leave.waitFor();
      await expectAccessible(page, 'the unsaved-changes warning');
      await screenshot(page, 'admin-settings-leave-warning');
      await leave.getByRole('button', { name: 'Stay on this page' }).click();
      await leave.waitFor({ state: 'hidden' });
      expect(new URL(page.url()).pathname).toBe('/administration/settings');
      expect(await page.getByRole('textbox', { name: 'Phone' }).inputValue()).toBe('(217) 555-0199');
      await page.getByRole('button', { name: 'Discard changes' }).click();

      // A colleague saves meanwhile (another tab): saving over it is refused, nothing typed is lost, and theirs can be taken.
      const search = 'Organization?identifier=https://heron.dev/fhir/NamingSystem/practice|';
      const current = (await api<{ entry: Array<{ resource: Organization }> }>(page, 'GET', search)).body.entry[0]!.resource;
      const theirs = await api(page, 'PUT', `Organization/${current.id}`, { ...current, telecom: [{ system: 'phone', value: '(217) 555-0111', use: 'work' }] }, { 'if-match': `W/"${current.meta!.versionId}"` });
      expect(theirs.status).toBe(200);
      await page.getByRole('textbox', { name: 'City' }).fill('Shelbyville');
      await page.getByRole('button', { name: 'Save changes' }).click();
      const conflict = page.getByRole('alert').filter({ hasText: 'Someone else changed the settings after you started' });
      await conflict.waitFor();
      expect(await page.getByRole('textbox', { name: 'City' }).inputValue()).toBe('Shelbyville');
      await page.getByRole('heading', { name: 'Practice settings', level: 1 }).scrollIntoViewIfNeeded();
      await expectAccessible(page, 'practice settings after a colleague saved first');
      await screenshot(page, 'admin-settings-conflict');
      await conflict.getByRole('button', { name: 'Discard mine, show theirs' }).click();
      await conflict.waitFor({ state: 'hidden' });
      expect(await page.getByRole('textbox', { name: 'City' }).inputValue()).toBe('Springfield');
      expect(await page.getByRole('textbox', { name: 'Phone' }).inputValue()).toBe('(217) 555-0111');

      await page.reload();
      await name.waitFor();
      expect(await name.inputValue()).toBe(NAME);
      expect(await page.getByRole('textbox', { name: 'Phone' }).inputValue()).toBe('(217) 555-0111');
      expect(await page.getByRole('radio', { name: /After a delay/ }).isChecked()).toBe(true);
      expect(await days.inputValue()).toBe('5');
      expect(await page.getByRole('textbox', { name: 'Idle time-out (minutes)' }).inputValue()).toBe('10');
      await page.getByRole('img', { name: "The practice's logo as it will print" }).waitFor();

      // As stored: the practice's own Organization, with its settings as extensions.
      const org = (await api<{ entry: Array<{ resource: Organization }> }>(page, 'GET', search)).body.entry[0]!.resource;
      expect(org.name).toBe(NAME);
      expect(org.extension?.find((e) => e.url.endsWith('/results-release'))?.extension).toEqual([
        { url: 'mode', valueCode: 'delayed' },
        { url: 'delayDays', valueUnsignedInt: 5 },
      ]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("a physician's after-visit summary carries the new name and address; the settings page refuses the physician", async () => {
    const { context, page, problems } = await newPage(browser);
    try {
      await signIn(page, server.origin, server.account('physician'));
      await page.goto(`${server.origin}/patients/demo-eleanor-hartley/notes/eleanor-note-40`);
      await page.getByRole('button', { name: 'After-visit summary' }).click();
      const dialog = page.getByRole('dialog');
      await expect.poll(() => dialog.locator('iframe.print-pdf').getAttribute('src'), { timeout: 30_000 }).toMatch(/^blob:/);
      const pdf = await filedPdf(page, 'demo-eleanor-hartley');
      expect((await PDFDocument.load(pdf)).getAuthor()).toBe(NAME);
      const text = pdfText(pdf);
      // The footer is drawn first, then the letterhead.
      expect(text.split('\n').slice(0, 3)).toEqual([`After-visit summary · Hartley, Eleanor Marie · MRN D-100042 · ${NAME}`, NAME, `${ADDRESS} · Phone (217) 555-0111`]);
      expect(text).toContain(`call ${NAME} on (217) 555-0111`);
      await expectAccessible(page, 'the after-visit summary with the practice settings');
      await screenshot(page, 'admin-settings-after-visit-summary');
      await dialog.getByRole('button', { name: 'Close' }).click();

      await page.goto(`${server.origin}/administration/settings`);
      await page.getByText('This area is for practice administrators.').waitFor();
      expect(await page.getByRole('textbox', { name: 'Practice name' }).count()).toBe(0);
      await expectAccessible(page, 'the settings page refused to a physician');
      await screenshot(page, 'admin-settings-physician-refused');
      // And the server refuses the physician's write whatever the page shows.
      const stored = await api<{ entry: Array<{ resource: Organization }> }>(page, 'GET', 'Organization?identifier=https://heron.dev/fhir/NamingSystem/practice|');
      const org = stored.body.entry[0]!.resource;
      expect((await api(page, 'PUT', `Organization/${org.id}`, { ...org, name: 'Not allowed' })).status).toBe(403);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

/**
 * The audit trail screen for a privacy officer: a physician opens Eleanor Hartley's chart in their
 * own browser; the practice administrator filters the trail to her record and today, sees only
 * entries about her, opens one in full, exports the filtered report as CSV (every row hers, today),
 * verifies the chain ("Intact"), and prints her accounting of disclosures (a PDF naming her and the
 * physician). The filters live in the address. Screenshots at 1366×768, axe on each state.
 */
import { readFile } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { PDFDocument } from 'pdf-lib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoServer, expectAccessible, launchBrowser, newPage, screenshot, signIn } from './browser-fixture.ts';

const ELEANOR = 'demo-eleanor-hartley';

/** The text a pdf-lib PDF draws: its content streams inflated, the hex strings shown with Tj decoded. */
function pdfText(bytes: Uint8Array): string {
  const raw = Buffer.from(bytes).toString('latin1');
  const out: string[] = [];
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1');
    } catch {
      content = m[1]!;
    }
    for (const t of content.matchAll(/<([0-9A-Fa-f]*)> Tj/g)) out.push(Buffer.from(t[1]!, 'hex').toString('latin1'));
  }
  return out.join('\n');
}

/** A strict enough CSV reader for the export (RFC 4180: quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += c;
  }
  return rows;
}

describe('audit trail', () => {
  let server: DemoServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let closeAdmin: () => Promise<void>;
  const today = new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    [server, browser] = await Promise.all([DemoServer.start(), launchBrowser()]);
    // A physician opens Eleanor's chart in another browser: the accesses the administrator reviews.
    const physician = await newPage(browser);
    await signIn(physician.page, server.origin, server.account('physician'));
    await physician.page.goto(`${server.origin}/patients/${ELEANOR}`);
    await physician.page.getByRole('region', { name: 'Patient' }).getByText('Hartley').first().waitFor();
    // And asks for emergency access to her record (the API any app of theirs may call), which the accounting must set apart.
    const glass = await physician.page.evaluate(async (patient) => {
      const g = globalThis as unknown as { sessionStorage: { getItem(key: string): string | null }; location: { origin: string } };
      const stored = JSON.parse(g.sessionStorage.getItem('heron.session') ?? '{}') as { tokens?: { accessToken?: string } };
      const response = await fetch(`${g.location.origin}/fhir/R4/Patient/${patient}/$break-the-glass`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stored.tokens?.accessToken ?? ''}`, 'content-type': 'application/fhir+json' },
        body: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'Brought in unconscious, no history available' }] }),
      });
      return response.status;
    }, ELEANOR);
    expect(glass).toBe(200);
    await physician.context.close();
    const admin = await newPage(browser);
    // The page's CSP keeps fetch() from blob: URLs, so the test keeps each Blob the page hands to a URL, to read the PDF.
    await admin.context.addInitScript(() => {
      const made = new Map<string, Blob>();
      const create = URL.createObjectURL.bind(URL);
      URL.createObjectURL = (blob: Blob) => {
        const url = create(blob);
        if (blob instanceof Blob) made.set(url, blob);
        return url;
      };
      (globalThis as unknown as { madeBlobs: Map<string, Blob> }).madeBlobs = made;
    });
    ({ page, problems } = admin);
    closeAdmin = () => admin.context.close();
    await signIn(page, server.origin, server.account('practice-admin'));
  }, 300_000);
  afterAll(async () => {
    await closeAdmin?.();
    await browser?.close();
    await server?.close();
  });

  const rowsOf = () => page.getByRole('grid', { name: 'Audit entries' }).getByRole('row');

  it('lists the trail, newest first, with the filters and the verify panel', async () => {
    await page.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name: 'Audit trail' }).click();
    await page.getByRole('heading', { name: 'Audit trail', level: 1 }).waitFor();
    // Who by name (the practice's accounts, from the admin API): the administrator's own sign-in is the newest.
    await page.getByRole('grid', { name: 'Audit entries' }).getByText('Robin Patel (admin@heron-demo.example)').first().waitFor();
    expect(await page.getByRole('button', { name: 'Print accounting of disclosures' }).count()).toBe(0);
    await expectAccessible(page, 'the audit trail');
    await screenshot(page, 'admin-audit-trail');
    expect(problems).toEqual([]);
  });

  it('filters to one patient and one day: every row is about her, and the address keeps the filters', async () => {
    await page.getByRole('button', { name: 'Choose a patient…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Whose record?' });
    await dialog.getByRole('combobox', { name: 'Patient' }).fill('Hartley');
    await expectAccessible(page, 'choosing the patient');
    await screenshot(page, 'admin-audit-choose-patient');
    await dialog.getByRole('option', { name: /Hartley, Eleanor/ }).click();
    await page.getByLabel('From', { exact: true }).fill(today);
    await page.getByLabel('To', { exact: true }).fill(today);
    await page.waitForURL((url) => url.searchParams.get('patient') === ELEANOR && url.searchParams.get('from') === today && url.searchParams.get('to') === today);
    await page.getByText(/Hartley, Eleanor Marie’s record/).waitFor();
    await rowsOf().nth(1).waitFor();
    const patientCells = await page.getByRole('grid', { name: 'Audit entries' }).locator('tbody tr td:nth-child(4)').allTextContents();
    expect(patientCells.length).toBeGreaterThan(0);
    for (const cell of patientCells) expect(cell).toContain('Hartley, Eleanor');
    // Her emergency access, set apart.
    await page.getByRole('grid', { name: 'Audit entries' }).getByText('Emergency', { exact: true }).first().waitFor();
    // The physician's chart reads are there, by name and role.
    expect(await page.getByRole('grid', { name: 'Audit entries' }).getByText('physician').count()).toBeGreaterThan(0);
    await expectAccessible(page, 'the trail filtered to one patient and day');
    await screenshot(page, 'admin-audit-filtered');

    // The demo's import of her chart today fills more than a page: the next page follows the server's cursor.
    const firstOfPage = async () => (await rowsOf().nth(1).getAttribute('data-key'))!;
    const first = await firstOfPage();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText(/^Page 2 · entries 51–/).waitFor();
    expect(Number(await firstOfPage())).toBeLessThan(Number(first));
    for (const cell of await page.getByRole('grid', { name: 'Audit entries' }).locator('tbody tr td:nth-child(4)').allTextContents()) expect(cell).toContain('Hartley, Eleanor');
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText(/^Page 1 · entries 1–50/).waitFor();
    expect(await firstOfPage()).toBe(first);

    // A shared address opens the same view.
    const shared = page.url();
    await page.goto(`${server.origin}/administration`);
    await page.goto(shared);
    await page.getByText(/Hartley, Eleanor Marie’s record/).waitFor();
    expect(await page.getByLabel('From', { exact: true }).inputValue()).toBe(today);
    // Names arrive after the rows and are shown in them (react-aria re-renders a row only when its item changes).
    await page.getByRole('grid', { name: 'Audit entries' }).getByText('Robin Patel (admin@heron-demo.example)').first().waitFor();
  });

  it('opens an entry with everything recorded', async () => {
    // One of the physician's accesses.
    await rowsOf().filter({ hasText: 'physician@heron-demo.example' }).first().click();
    const dialog = page.getByRole('dialog', { name: /^Audit entry \d+$/ });
    await dialog.waitFor();
    expect(new URL(page.url()).searchParams.get('entry')).toMatch(/^\d+$/);
    const facts = await dialog.locator('dl').textContent();
    for (const label of ['When', 'Who', 'Role', 'From address', 'Browser or app', 'What', 'Whose record', 'Why', 'Outcome']) expect(facts).toContain(label);
    expect(facts).toContain('Hartley, Eleanor');
    expect(facts).toMatch(/Role\s*physician/);
    await expectAccessible(page, 'an audit entry');
    await screenshot(page, 'admin-audit-entry');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(new URL(page.url()).searchParams.get('entry')).toBeNull();
  });

  it('exports the filtered report as CSV: every row is hers and today', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^audit-trail-patient-demo-eleanor-hartley-.*\.csv$/);
    const rows = parseCsv(await readFile((await download.path())!, 'utf8'));
    const [header, ...records] = rows;
    const col = (name: string) => header!.indexOf(name);
    expect(col('patients')).toBeGreaterThan(0);
    expect(records.length).toBeGreaterThanOrEqual((await rowsOf().count()) - 1);
    for (const r of records) {
      expect(r[col('patients')]!.split(' ')).toContain(`Patient/${ELEANOR}`);
      expect(r[col('recorded')]!.slice(0, 10)).toBe(today);
    }
    expect(records.some((r) => r[col('role')] === 'physician')).toBe(true);
  });

  it('verifies the chain: intact', async () => {
    await page.getByRole('button', { name: 'Verify the trail' }).click();
    await page.getByText('Intact', { exact: true }).waitFor();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Intact' }).textContent(), { timeout: 30_000 }).toMatch(/All [\d,]+ entries match their hashes and links/);
    await expectAccessible(page, 'the trail verified');
    await screenshot(page, 'admin-audit-verified');
  });

  it('says when verifying is slow, when it fails, and when nothing matches', async () => {
    // The server's answer held back, then refused: the slow note, then the failure in words.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/fhir/R4/AuditEvent/$verify*', async (route) => {
      await held;
      await route.fulfill({ status: 503, contentType: 'application/fhir+json', body: JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient', diagnostics: 'The database is busy; try again shortly' }] }) });
    });
    await page.getByRole('button', { name: 'Verify again' }).click();
    await page.getByText(/A long trail takes a while/).waitFor();
    await expectAccessible(page, 'verifying, slow');
    await screenshot(page, 'admin-audit-verify-slow');
    release();
    await page.getByRole('alert').filter({ hasText: 'Could not verify the trail' }).getByText('The database is busy; try again shortly').waitFor();
    await expectAccessible(page, 'verifying failed');
    await screenshot(page, 'admin-audit-verify-failed');
    await page.unroute('**/fhir/R4/AuditEvent/$verify*');

    // A day before anything was recorded.
    await page.getByLabel('From', { exact: true }).fill('2020-01-01');
    await page.getByLabel('To', { exact: true }).fill('2020-01-01');
    await page.getByText('No entries match these filters.').waitFor();
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await expectAccessible(page, 'no entries');
    await screenshot(page, 'admin-audit-empty');
    await page.getByLabel('From', { exact: true }).fill(today);
    await page.getByLabel('To', { exact: true }).fill(today);
    await rowsOf().nth(1).waitFor();
  });

  it('prints her accounting of disclosures: a PDF naming her, the practice and the physician', async () => {
    await page.getByRole('button', { name: 'Print accounting of disclosures' }).click();
    const dialog = page.getByRole('dialog', { name: 'Accounting of disclosures' });
    const frame = dialog.locator('iframe.print-pdf');
    await expect.poll(() => frame.getAttribute('src'), { timeout: 30_000 }).toMatch(/^blob:/);
    // Administrators do not file to charts.
    expect(await dialog.getByRole('button', { name: 'File to the chart' }).count()).toBe(0);
    const src = (await frame.getAttribute('src'))!;
    const bytes = Buffer.from(await page.evaluate(async (url) => Array.from(new Uint8Array(await (globalThis as unknown as { madeBlobs: Map<string, Blob> }).madeBlobs.get(url)!.arrayBuffer())), src));
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect((await PDFDocument.load(bytes)).getTitle()).toBe('Accounting of disclosures: Hartley, Eleanor Marie');
    const text = pdfText(bytes);
    expect(text).toContain('Accounting of disclosures');
    expect(text).toContain('For Hartley, Eleanor');
    expect(text).toMatch(/\(physician\)/);
    expect(text).toMatch(/recorded access/);
    expect(text).toMatch(/EMERGENCY ACCESS · [\s\S]{0,80}Dana Whitfield/);
    expect(text).toContain('Emergency treatment: "Brought in unconscious, no history available"');
    await expectAccessible(page, 'the accounting of disclosures');
    await screenshot(page, 'admin-audit-disclosures');
    expect(problems).toEqual([]);
  });
});

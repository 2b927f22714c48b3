/**
 * The patient portal's Share and Privacy pages and the recipient's viewer, as the demo patient and
 * as someone they share with (a separate browser context, never signed in): the summary downloaded
 * is a valid International Patient Summary; a SMART Health Link with a passcode is made, shown
 * once with its QR code, opened by the recipient (a wrong passcode first), listed with its opening;
 * revoked, it no longer opens; the Privacy page lists the recipient's access and the connected
 * apps. Screenshots of every screen at 375×812 and 1366×768, axe on each.
 */
import { readFile } from 'node:fs/promises';
import type { Bundle } from '@medplum/fhirtypes';
import type { BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipsProblems } from '../fixtures/ips-check.ts';
import { checkAtSizes, newPage, requestAsPage, signIn, useDemoServer } from './browser-fixture.ts';

const RECIPIENT = 'Dr Lee, City Hospital';
const LABEL = 'Dr Lee at City Hospital';
const PASSCODE = 'heron-share-2468';

describe('portal: share my record, the recipient’s viewer, privacy', () => {
  const demo = useDemoServer();
  let patient: { context: BrowserContext; page: Page; problems: string[] };
  let recipient: { context: BrowserContext; page: Page; problems: string[] };
  let viewerUrl = '';

  beforeAll(async () => {
    patient = await newPage(demo.browser);
    recipient = await newPage(demo.browser);
    await signIn(patient.page, demo.server.origin, demo.server.account('patient'), { path: '/portal/share' });
  }, 300_000);
  afterAll(async () => {
    await patient?.context.close();
    await recipient?.context.close();
  });

  async function downloaded(page: Page, button: string): Promise<{ download: Download; bytes: Buffer }> {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
    return { download, bytes: await readFile((await download.path())!) };
  }

  it('downloads the summary as a valid FHIR document and a PDF, and everything as one Bundle', async () => {
    const page = patient.page;
    await page.getByRole('heading', { name: 'Share my record', level: 1 }).waitFor();
    await checkAtSizes(page, 'portal-share', 'share');
    const ips = await downloaded(page, 'Summary (FHIR document)');
    expect(ips.download.suggestedFilename()).toMatch(/^patient-summary-\d{4}-\d{2}-\d{2}\.json$/);
    const document = JSON.parse(ips.bytes.toString('utf8')) as Bundle;
    expect(ipsProblems(document)).toEqual([]);
    const pdf = await downloaded(page, 'Summary (PDF to read or print)');
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const all = await downloaded(page, 'Download everything (.json)');
    const bundle = JSON.parse(all.bytes.toString('utf8')) as Bundle;
    expect(bundle.resourceType).toBe('Bundle');
    const types = new Set(bundle.entry?.map((e) => e.resource?.resourceType));
    expect(types.has('Patient')).toBe(true);
    expect(bundle.entry!.length).toBeGreaterThan(document.entry!.length);
    expect(patient.problems).toEqual([]);
  });

  it('makes a SMART Health Link with a passcode and shows it once, with a QR code', async () => {
    const page = patient.page;
    await page.getByRole('button', { name: 'Make the link' }).click();
    await page.getByText('Say who the link is for').waitFor();
    await page.getByRole('textbox', { name: 'Who is it for?' }).fill(LABEL);
    await page.getByLabel('Passcode (optional)').fill(PASSCODE);
    await page.getByLabel('Passcode again').fill('not the same');
    await page.getByRole('button', { name: 'Make the link' }).click();
    await page.getByText('The two passcodes are not the same.').waitFor();
    await page.getByLabel('Passcode again').fill(PASSCODE);
    await page.getByRole('button', { name: 'Make the link' }).click();
    await page.getByText('You will not see this link again.').waitFor();
    const qr = page.getByRole('img', { name: `QR code of the link for ${LABEL}` });
    await qr.waitFor();
    expect(await qr.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0)).toBe(true);
    viewerUrl = await page.getByRole('textbox', { name: 'Link address' }).inputValue();
    expect(viewerUrl).toMatch(new RegExp(`^${demo.server.origin}/health-link#shlink:/[A-Za-z0-9_-]+$`));
    await checkAtSizes(page, 'portal-share-link-made', 'share-link-made');
    await page.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => page.getByText('You will not see this link again.').count(), { timeout: 10_000 }).toBe(0);
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: LABEL }) });
    await card.getByText('Not opened yet.').waitFor();
    await card.getByText('with a passcode').waitFor();
    expect(patient.problems).toEqual([]);
  });

  it('lets the recipient open it without signing in, with the passcode', async () => {
    const page = recipient.page;
    await page.goto(viewerUrl);
    await page.getByRole('heading', { name: 'Open a shared patient summary', level: 1 }).waitFor();
    await checkAtSizes(page, 'portal-viewer-ask', 'viewer-ask');
    await page.getByRole('textbox', { name: 'Your name and organisation' }).fill(RECIPIENT);
    await page.getByLabel('Passcode').fill('wrong-passcode');
    await page.getByRole('button', { name: 'Open the summary' }).click();
    await page.getByText('That passcode is not right').waitFor();
    await page.getByText(/^\d+ tries left before the link locks\.$/).waitFor();
    await checkAtSizes(page, 'portal-viewer-wrong-passcode', 'viewer-wrong-passcode');
    await page.getByLabel('Passcode').fill(PASSCODE);
    await page.getByRole('button', { name: 'Open the summary' }).click();
    await page.getByRole('heading', { name: 'Shared patient summary', level: 1 }).waitFor();
    // The account's display name may carry a prefix ("Mr."); the summary names the patient given name first.
    const family = demo.server.account('patient').name!.split(' ').pop()!;
    await page.getByRole('heading', { name: new RegExp(family), level: 2 }).waitFor();
    for (const section of ['Problems', 'Allergies and intolerances', 'Medication summary']) await page.getByRole('heading', { name: section, level: 3 }).waitFor();
    await checkAtSizes(page, 'portal-viewer-summary', 'viewer-summary');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download FHIR document' }).click()]);
    expect(ipsProblems(JSON.parse(await readFile((await download.path())!, 'utf8')) as Bundle)).toEqual([]);
    expect(recipient.problems).toEqual([]);
  });

  it('shows the patient every opening, and revoking stops the link at once', async () => {
    const page = patient.page;
    await page.reload();
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: LABEL }) });
    const openings = card.getByRole('list', { name: `Openings of ${LABEL}` });
    await openings.getByText(/^Wrong passcode/).waitFor();
    await openings.getByText(/^Opened .* by “Dr Lee, City Hospital”/).waitFor();
    await checkAtSizes(page, 'portal-share-links', 'share-links');
    await card.getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog', { name: `Revoke the link for ${LABEL}?` });
    await dialog.waitFor();
    await checkAtSizes(page, 'portal-share-revoke-confirm', 'share-revoke-confirm', { fullPage: false });
    await dialog.getByRole('button', { name: 'Revoke now' }).click();
    await card.getByText('Revoked', { exact: true }).waitFor();
    expect(await card.getByRole('button', { name: 'Revoke' }).count()).toBe(0);

    const viewer = recipient.page;
    await viewer.goto('about:blank');
    await viewer.goto(viewerUrl);
    await viewer.getByRole('textbox', { name: 'Your name and organisation' }).fill(RECIPIENT);
    await viewer.getByLabel('Passcode').fill(PASSCODE);
    await viewer.getByRole('button', { name: 'Open the summary' }).click();
    await viewer.getByText('This link no longer works').waitFor();
    await checkAtSizes(viewer, 'portal-viewer-revoked', 'viewer-revoked');
    await page.reload();
    await card.getByText(/^Refused: the link no longer worked/).waitFor();
    expect([...patient.problems, ...recipient.problems]).toEqual([]);
  });

  it('lists who has seen the record, including the recipient, and the connected apps', async () => {
    const page = patient.page;
    await page.getByRole('link', { name: 'Privacy' }).click();
    await page.getByRole('heading', { name: 'Privacy', level: 1 }).waitFor();
    const accesses = page.getByRole('list', { name: 'Accesses to your record' });
    await accesses.getByText(`Opened through your shared link ‘${LABEL}’ by ${RECIPIENT}`, { exact: true }).first().waitFor();
    const apps = page.getByRole('list', { name: 'Connected apps' });
    const own = apps.getByRole('listitem').filter({ hasText: 'This app' });
    await own.getByText('revoking it signs you out').waitFor();
    await own.getByText(/^It may: /).waitFor();
    await checkAtSizes(page, 'portal-privacy', 'privacy');
    await accesses.getByRole('listitem').filter({ hasText: RECIPIENT }).first().getByRole('button', { name: 'Ask the practice about this access' }).click();
    const dialog = page.getByRole('dialog', { name: 'Ask the practice about this access' });
    const message = dialog.getByRole('textbox', { name: 'Your message to the practice' });
    expect(await message.inputValue()).toContain(RECIPIENT);
    await checkAtSizes(page, 'portal-privacy-ask', 'privacy-ask', { fullPage: false });
    await dialog.getByRole('button', { name: 'Send message' }).click();
    await dialog.getByText('Sent. The practice will answer in your messages.').waitFor();
    // It waits in the inbox of the doctor the record names (docs/portal.md#messages).
    const sent = (await requestAsPage(page, 'GET', '/fhir/R4/Communication?_sort=-sent&_count=1')).body as Bundle;
    expect(sent.entry?.[0]?.resource).toMatchObject({ status: 'in-progress', recipient: [{ reference: 'Practitioner/demo-physician' }], topic: { text: 'Question about an access to my record' } });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await own.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog', { name: /^Revoke / }).getByRole('button', { name: 'Revoke and sign out' }).waitFor();
    await checkAtSizes(page, 'portal-privacy-revoke-own-app', 'privacy-revoke-own-app', { fullPage: false });
    await page.getByRole('dialog', { name: /^Revoke / }).getByRole('button', { name: 'Keep it' }).click();
    expect(patient.problems).toEqual([]);
  });
});

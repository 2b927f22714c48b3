/**
 * The privacy officer's screens, as a practice administrator: restrict a chart from the screen and
 * see a physician without a care relationship refused, then allowed once it is open again; restrict
 * it again, the physician breaks the glass and opens the chart; the administrator's home counts
 * one emergency access to review, the queue shows who, which patient, the reason and what was
 * opened; marked appropriate with a note, the count drops to 0 and the audit trail holds the
 * review. Screenshots at 1366×768 of every state, axe on each.
 */
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './chart-api-client.ts';
import { DemoServer, expectAccessible, launchBrowser, newPage, requestAsPage, screenshot, signIn } from './browser-fixture.ts';

const PATIENT = 'privacy-test-quinn';
const REASON = 'Found collapsed in the car park; need allergies and medication list';
const NOTE = 'On call that night; the patient was brought in unconscious. Appropriate.';

describe('administration: restricted records and emergency access review', () => {
  let server: DemoServer;
  let browser: Browser;
  let admin: { context: BrowserContext; page: Page; problems: string[] };
  let physician: { context: BrowserContext; page: Page; problems: string[] };

  beforeAll(async () => {
    [server, browser] = await Promise.all([DemoServer.start(), launchBrowser()]);
    const api = await ApiClient.forDemo(server);
    // A patient no demo clinician cares for (no general practitioner, no care team).
    await api.put({ resourceType: 'Patient', id: PATIENT, name: [{ use: 'official', family: 'Privacy', given: ['Quinn'] }], gender: 'female', birthDate: '1984-03-12' });
    await api.put({
      resourceType: 'Condition',
      id: `${PATIENT}-problem`,
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
      code: { text: 'Panic disorder' },
      subject: { reference: `Patient/${PATIENT}` },
    });
    admin = await newPage(browser);
    physician = await newPage(browser);
    await signIn(admin.page, server.origin, server.account('practice-admin'));
    await signIn(physician.page, server.origin, server.account('physician'));
  }, 300_000);
  afterAll(async () => {
    await admin?.context.close();
    await physician?.context.close();
    await browser?.close();
    await server?.close();
  });

  const openChart = (page: Page) => page.goto(`${server.origin}/patients/${PATIENT}`);
  const refused = (page: Page) => page.getByText(/is a restricted record/).first().waitFor();
  const allowed = (page: Page) => page.getByRole('region', { name: 'Patient' }).getByText(/Privacy/).first().waitFor();

  /** On the restricted-records screen: find the patient and restrict the chart. */
  async function restrictFromScreen(page: Page): Promise<void> {
    await page.goto(`${server.origin}/administration/restricted`);
    await page.getByRole('heading', { name: 'Restricted records', level: 1 }).waitFor();
    await page.getByRole('textbox', { name: 'Patient name' }).fill('Privacy');
    const found = page.getByRole('list', { name: 'Patients found' }).getByRole('listitem').filter({ hasText: 'Quinn' });
    await found.getByRole('button', { name: 'Restrict chart' }).click();
    await page.getByRole('status').getByText('is now restricted').waitFor();
    await page.getByRole('grid', { name: 'Restricted charts' }).getByRole('row').filter({ hasText: 'Quinn Privacy' }).waitFor();
  }

  it('restricts a chart from the screen: a physician without a care relationship is refused, then allowed once it is unrestricted', async () => {
    const { page } = admin;
    await page.goto(`${server.origin}/administration/restricted`);
    await page.getByRole('heading', { name: 'Restricted records', level: 1 }).waitFor();
    await page.getByRole('grid', { name: 'Restricted charts' }).waitFor();
    await expectAccessible(page, 'restricted records before any change');
    await screenshot(page, 'admin-restricted-before');

    await restrictFromScreen(page);
    const row = page.getByRole('grid', { name: 'Restricted charts' }).getByRole('row').filter({ hasText: 'Quinn Privacy' });
    expect(await row.textContent()).toMatch(/Whole chart: restricted.*No one: break-the-glass only/);
    await expectAccessible(page, 'a chart just restricted');
    await screenshot(page, 'admin-restricted-chart');

    await openChart(physician.page);
    await refused(physician.page);
    await expectAccessible(physician.page, 'a restricted chart refused to a physician');
    await screenshot(physician.page, 'admin-privacy-physician-refused');

    await row.getByRole('button', { name: 'Unrestrict chart' }).click();
    await page.getByRole('status').getByText('is no longer restricted').waitFor();
    await page.getByRole('grid', { name: 'Restricted charts' }).getByRole('row').filter({ hasText: 'Quinn Privacy' }).waitFor({ state: 'detached' });
    await expectAccessible(page, 'the chart unrestricted again');
    await screenshot(page, 'admin-restricted-unrestricted');

    await openChart(physician.page);
    await allowed(physician.page);
    await screenshot(physician.page, 'admin-privacy-physician-allowed');
    expect([...admin.problems, ...physician.problems]).toEqual([]);
  });

  it('a physician breaks the glass on the restricted chart and opens it', async () => {
    await restrictFromScreen(admin.page);
    await openChart(physician.page);
    await refused(physician.page);
    // The app has no break-the-glass screen yet: the physician's own token, through the public API.
    const glass = await requestAsPage(physician.page, 'POST', `/fhir/R4/Patient/${PATIENT}/$break-the-glass`, { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: REASON }] });
    expect(glass.status).toBe(200);
    await openChart(physician.page);
    await allowed(physician.page);
    await expectAccessible(physician.page, 'the chart opened by break-the-glass');
    await screenshot(physician.page, 'admin-privacy-physician-glass');
  });

  it('the home counts one access to review; the queue shows who, which patient, why and what was opened; a review clears it and joins the trail', async () => {
    const { page } = admin;
    await page.goto(`${server.origin}/administration`);
    const panel = page.getByRole('region', { name: 'Emergency access' });
    await panel.getByText('1 emergency access waits for review.').waitFor();
    await expectAccessible(page, 'the administration home with an access to review');
    await screenshot(page, 'admin-privacy-home-1');

    await panel.getByRole('link', { name: 'Review emergency access' }).click();
    await page.getByRole('heading', { name: 'Emergency access', level: 1 }).waitFor();
    const card = page.getByRole('list', { name: 'Emergency accesses' }).locator(':scope > li');
    // count() does not wait: the queue is fetched after the heading shows (it once counted 0 under load).
    await card.first().waitFor();
    expect(await card.count()).toBe(1);
    await card.getByRole('heading', { name: /opened Quinn Privacy$/ }).waitFor();
    await card.getByText(REASON).waitFor();
    await card.getByText('(physician)').waitFor();
    // What the grant opened: at least the patient's chart itself, by reference only.
    await card.getByText(`Read · Patient/${PATIENT}`).first().waitFor();
    await card.getByText(`Search · Condition/${PATIENT}-problem`).first().waitFor();
    expect(await card.textContent()).not.toMatch(/Panic disorder/);
    await expectAccessible(page, 'the emergency access queue');
    await screenshot(page, 'admin-privacy-queue');

    // A review needs a verdict and a note; what is typed stays.
    await card.getByRole('button', { name: 'Record review' }).click();
    await card.getByRole('alert').getByText('Choose a verdict.').waitFor();
    await card.getByRole('button', { name: /Verdict/ }).click();
    await page.getByRole('option', { name: 'Appropriate', exact: true }).click();
    await card.getByRole('textbox', { name: 'Note' }).fill(NOTE);
    await expectAccessible(page, 'the review form filled in');
    await card.getByRole('button', { name: 'Record review' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-privacy-review-form');
    await card.getByRole('button', { name: 'Record review' }).click();
    await page.getByText('No emergency access waits for review.').waitFor();
    await screenshot(page, 'admin-privacy-queue-empty');

    await page.getByRole('button', { name: /Show/ }).click();
    await page.getByRole('option', { name: 'Reviewed', exact: true }).click();
    const reviewed = page.getByRole('list', { name: 'Emergency accesses' }).locator(':scope > li');
    await reviewed.getByText(NOTE).waitFor();
    expect(await reviewed.textContent()).toMatch(/Appropriate by .+/);
    await expectAccessible(page, 'a reviewed emergency access');
    await screenshot(page, 'admin-privacy-reviewed');

    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('region', { name: 'Emergency access' }).getByText('0 emergency accesses wait for review.').waitFor();
    await screenshot(page, 'admin-privacy-home-0');

    // The trail holds the review as its own entry, naming the access, with the verdict and the note.
    const trail = await requestAsPage(page, 'GET', '/fhir/R4/AuditEvent?subtype=break-glass-review');
    const [review] = ((trail.body as Bundle<AuditEvent>).entry ?? []).map((e) => e.resource!);
    expect(JSON.parse(review.entity![0].detail![0].valueString!)).toEqual({ verdict: 'appropriate', note: NOTE });
    const access = await requestAsPage(page, 'GET', `/fhir/R4/${review.entity![0].what!.reference!}`);
    expect((access.body as AuditEvent).purposeOfEvent?.[0].text).toBe(REASON);
    expect([...admin.problems, ...physician.problems]).toEqual([]);
  });
});

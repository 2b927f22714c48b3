/**
 * The patient portal's frame and "My health" in a real browser, on a phone (375×812) and a laptop
 * (1366×768): a patient signs in and gets the portal, never the clinician screens; their results
 * show units, normal range, flag and what the test measures, their measurements a trend plot; the
 * practice's results-release rule holds back a result waiting for review and the page says the rule.
 * A proxy opens one of the two people they act for, the header says whose record it is, and switches;
 * with limited access the page says parts are private and shows none of them. Screenshots at both
 * sizes, axe on every screen.
 */
import type { Organization, Patient } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { allowOnConsentPage, checkAtSizes, newPage, PHONE, requestAsPage, signIn, signInOnHeronPage, useDemoServer } from './browser-fixture.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const RESULTS_RELEASE = 'https://heron.dev/fhir/StructureDefinition/results-release';

/** A new A1c, high, as a lab would send it: the server opens its review Task. */
function a1c(patientId: string, value: number) {
  const now = new Date().toISOString();
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' }] },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: now,
    issued: now,
    valueQuantity: { value, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
    referenceRange: [{ low: { value: 4, unit: '%' }, high: { value: 5.6, unit: '%' } }],
    interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'H' }] }],
  };
}

describe('the portal: frame and My health', () => {
  const demo = useDemoServer();
  let patientId: string;

  beforeAll(async () => {
    patientId = demo.server.account('patient').fhirUser!.slice('Patient/'.length);
    const { context, page } = await newPage(demo.browser);
    await signIn(page, demo.server.origin, demo.server.account('physician'));
    const posted = await requestAsPage(page, 'POST', '/fhir/R4/Observation', a1c(patientId, 9.4));
    expect(posted.status).toBe(201);
    await context.close();
  }, 300_000);

  it('a patient gets the portal, reads results in plain words and a measurement trend, and no clinician screen', async () => {
    const { context, page, problems } = await newPage(demo.browser);
    try {
      await page.setViewportSize(PHONE);
      await signIn(page, demo.server.origin, demo.server.account('patient'));
      await page.waitForURL(`${demo.server.origin}/portal`);
      await page.getByRole('heading', { name: 'My health', level: 1 }).waitFor();
      const patient = (await requestAsPage(page, 'GET', `/fhir/R4/Patient/${patientId}`)).body as Patient;
      const whose = page.getByRole('group', { name: 'Whose record is open' });
      await whose.getByText(patient.name![0]!.family!).waitFor();
      const [year, month, day] = patient.birthDate!.split('-').map(Number) as [number, number, number];
      expect(await whose.textContent()).toContain(`born ${day} ${MONTHS[month - 1]} ${year}`);
      await page.getByRole('banner').getByText('Demo Practice').waitFor();
      await page.getByRole('navigation', { name: 'Portal sections' }).getByRole('link', { name: 'My health' }).waitFor();

      const a1cRow = page.getByTestId('result').filter({ hasText: '9.4 %' });
      await a1cRow.waitFor();
      expect(await a1cRow.textContent()).toMatch(/Hemoglobin A1c.*9\.4 %.*High.*Normal range: 4–5\.6 %.*average blood sugar over the past two to three months/s);
      await page.getByText('Results appear here as soon as they are final').waitFor();
      await page.getByRole('group', { name: /^Weight \(kg\), \d+ values from/ }).waitFor();
      await checkAtSizes(page, 'portal-my-health', 'My health', { banner: true });
      // Nothing is wider than a phone: no sideways scrolling.
      await page.setViewportSize(PHONE);
      expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

      // The clinician screens are not offered: any of their addresses brings the patient back.
      await page.goto(`${demo.server.origin}/patients/${patientId}/results`);
      await page.waitForURL(`${demo.server.origin}/portal`);
      await page.goto(`${demo.server.origin}/`);
      await page.waitForURL(`${demo.server.origin}/portal`);
      expect(await page.getByRole('searchbox').count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('after clinician review: a result waiting for review is held back and the page says the rule', async () => {
    const admin = await newPage(demo.browser);
    await signIn(admin.page, demo.server.origin, demo.server.account('practice-admin'));
    const found = (await requestAsPage(admin.page, 'GET', '/fhir/R4/Organization?identifier=https://heron.dev/fhir/NamingSystem/practice|')).body as { entry: Array<{ resource: Organization }> };
    const org = found.entry[0]!.resource;
    const changed = { ...org, extension: [...(org.extension ?? []).filter((e) => e.url !== RESULTS_RELEASE), { url: RESULTS_RELEASE, extension: [{ url: 'mode', valueCode: 'after-review' }] }] };
    expect((await requestAsPage(admin.page, 'PUT', `/fhir/R4/Organization/${org.id}`, changed)).status).toBe(200);
    await admin.context.close();

    const { context, page, problems } = await newPage(demo.browser);
    try {
      await signIn(page, demo.server.origin, demo.server.account('patient'));
      await page.getByText('Results appear here once your clinician has reviewed them.').waitFor();
      await page.getByTestId('result').first().waitFor();
      expect(await page.getByTestId('result').filter({ hasText: '9.4 %' }).count()).toBe(0);
      await checkAtSizes(page, 'portal-results-after-review', 'My health, results after review', { banner: true });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a proxy opens one person’s record, sees whose it is, and switches to a person they act for with limited access', async () => {
    const { context, page, problems } = await newPage(demo.browser);
    try {
      await page.setViewportSize(PHONE);
      const proxy = demo.server.account('proxy');
      await signIn(page, demo.server.origin, proxy, { record: 0 });
      await page.waitForURL(`${demo.server.origin}/portal`);
      const whose = page.getByRole('group', { name: 'Whose record is open' });
      await whose.getByText('Record of').waitFor();
      await page.getByTestId('record-name').filter({ hasNotText: '…' }).waitFor();
      const first = (await page.getByTestId('record-name').textContent())!;
      await page.getByRole('heading', { name: `${first.split(' ')[0]}’s health`, level: 1 }).waitFor();
      await page.getByRole('heading', { name: 'Test results' }).waitFor();
      expect(await page.getByText('private to them').count()).toBe(0);
      await checkAtSizes(page, 'portal-proxy-full', 'a proxy with full access', { banner: true });

      await page.setViewportSize(PHONE);
      await whose.getByRole('button', { name: 'Switch person' }).click();
      await signInOnHeronPage(page, proxy);
      await allowOnConsentPage(page, 1);
      await page.waitForURL(`${demo.server.origin}/portal`);
      await page.getByText(/^Some parts of .+’s record are private to them\./).waitFor();
      await page.getByTestId('record-name').filter({ hasNotText: '…' }).waitFor();
      const second = (await page.getByTestId('record-name').textContent())!;
      expect(second).not.toBe(first);
      await page.getByRole('heading', { name: 'Allergies' }).waitFor();
      await page.getByRole('heading', { name: 'Vaccinations' }).waitFor();
      for (const hidden of ['Test results', 'Measurements', 'Health problems', 'Medicines', 'Visit summaries', 'Documents']) {
        expect(await page.getByRole('heading', { name: hidden }).count(), hidden).toBe(0);
      }
      await checkAtSizes(page, 'portal-proxy-limited', 'a proxy with limited access', { banner: true });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

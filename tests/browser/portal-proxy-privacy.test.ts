/**
 * The portal as a proxy and the patient's Privacy page, in a real browser: a proxy moves between
 * My health, Share and Privacy and switches person, and whose record is open is shown on every page
 * (name and date of birth); with limited access the page says parts are private and what the
 * practice recorded in those parts shows nowhere (the server leaves it out); and an emergency
 * access (break-the-glass, made through the API) is marked in the patient's list of who has seen
 * their record, which names the physician. Screenshots at 375×812 and 1366×768, axe on each screen.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { allowOnConsentPage, checkAtSizes, newPage, PHONE, requestAsPage, signIn, signInOnHeronPage, useDemoServer } from './browser-fixture.ts';

const HIDDEN_CONDITION = 'Anorexia nervosa (confidential test entry)';

/** The patient whose record this sign-in opened (the session the app keeps). */
async function openRecord(page: Page): Promise<{ patient: string; limited: boolean }> {
  return page.evaluate(() => {
    const stored = JSON.parse((globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('heron.session') ?? '{}') as { user?: { patient?: string; limited?: boolean } };
    return { patient: stored.user?.patient ?? '', limited: stored.user?.limited === true };
  });
}

describe('portal: a proxy’s open record, limited access, emergency access on Privacy', () => {
  const demo = useDemoServer();

  it('a proxy always sees whose record is open, on every page and after switching person', async () => {
    const { context, page, problems } = await newPage(demo.browser);
    try {
      await page.setViewportSize(PHONE);
      const proxy = demo.server.account('proxy');
      await signIn(page, demo.server.origin, proxy, { record: 0 });
      await page.waitForURL(`${demo.server.origin}/portal`);
      const whose = page.getByRole('group', { name: 'Whose record is open' });
      const name = page.getByTestId('record-name').filter({ hasNotText: '…' });
      await name.waitFor();
      const first = (await name.textContent())!;
      const nav = page.getByRole('navigation', { name: 'Portal sections' });
      for (const [tab, heading] of [['Share', 'Share my record'], ['Privacy', 'Privacy'], ['My health', `${first.split(' ')[0]}’s health`]] as const) {
        await nav.getByRole('link', { name: tab }).click();
        await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        await expect(whose.textContent()).resolves.toMatch(new RegExp(`Record of\\s*${first}\\s*· born `));
      }
      await checkAtSizes(page, 'portal-proxy-open-record', 'a proxy: whose record is open', { leaveAt: 'phone' });

      await whose.getByRole('button', { name: 'Switch person' }).click();
      await signInOnHeronPage(page, proxy);
      await allowOnConsentPage(page, 1);
      await page.waitForURL(`${demo.server.origin}/portal`);
      await name.waitFor();
      const second = (await name.textContent())!;
      expect(second).not.toBe(first);
      for (const tab of ['Share', 'Privacy', 'My health'] as const) {
        await nav.getByRole('link', { name: tab }).click();
        await page.waitForURL((url) => url.pathname.startsWith('/portal'));
        await expect(whose.textContent()).resolves.toMatch(new RegExp(`Record of\\s*${second}\\s*· born `));
        expect(await whose.textContent(), tab).not.toContain(first);
      }
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a proxy with limited access is told parts are private and sees nothing of them, even what was just recorded', async () => {
    const { context, page, problems } = await newPage(demo.browser);
    try {
      await page.setViewportSize(PHONE);
      await signIn(page, demo.server.origin, demo.server.account('proxy'), { record: 1 });
      const { patient, limited } = await openRecord(page);
      expect(limited).toBe(true);

      const clinician = await newPage(demo.browser);
      await signIn(clinician.page, demo.server.origin, demo.server.account('physician'));
      const condition = { resourceType: 'Condition', subject: { reference: `Patient/${patient}` }, code: { text: HIDDEN_CONDITION }, clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] } };
      expect((await requestAsPage(clinician.page, 'POST', '/fhir/R4/Condition', condition)).status).toBe(201);
      await clinician.context.close();

      await page.reload();
      await page.getByText(/^Some parts of .+’s record are private to them\. You can see their allergies, vaccinations and appointments\./).waitFor();
      await page.getByRole('heading', { name: 'Allergies' }).waitFor();
      for (const hidden of ['Test results', 'Measurements', 'Health problems', 'Medicines']) expect(await page.getByRole('heading', { name: hidden }).count(), hidden).toBe(0);
      expect(await page.getByText(HIDDEN_CONDITION).count()).toBe(0);
      // Not only unshown: the server gives the proxy none of it.
      const asked = await requestAsPage(page, 'GET', `/fhir/R4/Condition?patient=${patient}`);
      expect(asked.status).toBe(200);
      expect((asked.body as { entry?: unknown[] }).entry ?? []).toEqual([]);
      await checkAtSizes(page, 'portal-proxy-limited-private', 'a proxy with limited access', { leaveAt: 'phone' });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('an emergency access to the patient’s record is marked on their Privacy page', async () => {
    const patientId = demo.server.account('patient').fhirUser!.slice('Patient/'.length);
    const clinician = await newPage(demo.browser);
    await signIn(clinician.page, demo.server.origin, demo.server.account('physician'));
    // An ordinary access first, to tell the emergency one apart from.
    expect((await requestAsPage(clinician.page, 'GET', `/fhir/R4/Patient/${patientId}`)).status).toBe(200);
    const reason = { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'Unconscious in the emergency department, need allergies' }] };
    expect((await requestAsPage(clinician.page, 'POST', `/fhir/R4/Patient/${patientId}/$break-the-glass`, reason)).status).toBe(200);
    expect((await requestAsPage(clinician.page, 'GET', `/fhir/R4/AllergyIntolerance?patient=${patientId}`)).status).toBe(200);
    await clinician.context.close();

    const { context, page, problems } = await newPage(demo.browser);
    try {
      await page.setViewportSize(PHONE);
      await signIn(page, demo.server.origin, demo.server.account('patient'), { path: '/portal/privacy' });
      await page.getByRole('heading', { name: 'Privacy', level: 1 }).waitFor();
      const accesses = page.getByRole('list', { name: 'Accesses to your record' });
      const emergency = accesses.getByRole('listitem').filter({ hasText: 'Emergency access' });
      await emergency.first().waitFor();
      expect(await emergency.first().getAttribute('data-emergency')).toBe('true');
      // Staff are named, with their role (the server looks the name up when the patient reads the trail).
      expect(await emergency.first().textContent()).toContain('Dana Whitfield, MD (Physician)');
      expect(await accesses.textContent()).not.toContain('Physician at the practice');
      // Marked in colour too, not in words alone: the emergency card's edge differs from an ordinary one.
      const ordinary = accesses.getByRole('listitem').filter({ hasNotText: 'Emergency access' });
      const edge = (item: typeof emergency) =>
        item.first().evaluate((el) => {
          const style = (globalThis as unknown as { getComputedStyle(e: unknown): { borderLeftColor: string; backgroundColor: string } }).getComputedStyle(el);
          return `${style.borderLeftColor} ${style.backgroundColor}`;
        });
      await ordinary.first().waitFor();
      expect(await edge(emergency)).not.toBe(await edge(ordinary));
      await emergency.first().scrollIntoViewIfNeeded();
      await checkAtSizes(page, 'portal-privacy-emergency', 'Privacy with an emergency access', { leaveAt: 'phone' });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

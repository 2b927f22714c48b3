/**
 * The portal's Appointments, as the demo patient and the front desk: while the practice takes no
 * bookings online the page says to phone; once the practice administrator turns self-scheduling on
 * with staff approval, the patient requests a visit at a free time (it waits for the practice),
 * the front desk books it from their home, the patient sees it confirmed and downloads it as a
 * valid .ics; the cancel dialog asks why. Screenshots of every screen at 375×812 and 1366×768,
 * axe on each.
 */
import { readFile } from 'node:fs/promises';
import type { Extension, Organization } from '@medplum/fhirtypes';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAtSizes, newPage, requestAsPage, signIn, useDemoServer } from './browser-fixture.ts';

const SELF_SCHEDULING = 'https://heron.dev/fhir/StructureDefinition/patient-self-scheduling';
const REASON = 'Knee still sore after the fall';

describe('portal: appointments', () => {
  const demo = useDemoServer();
  let patient: { context: BrowserContext; page: Page; problems: string[] };
  let requestedStart = '';

  beforeAll(async () => {
    patient = await newPage(demo.browser);
    await signIn(patient.page, demo.server.origin, demo.server.account('patient'), { path: '/portal/appointments' });
  }, 300_000);
  afterAll(async () => {
    await patient?.context.close();
  });

  it('says to phone the practice while it takes no bookings online, and offers no buttons', async () => {
    const page = patient.page;
    await page.getByRole('heading', { name: 'Appointments', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Visits' }).waitFor();
    await page.getByTestId('phone-to-book').waitFor();
    expect(await page.getByTestId('phone-to-book').innerText()).toContain('please phone the practice');
    await page.getByRole('heading', { name: 'Upcoming' }).waitFor();
    await page.getByRole('heading', { name: 'Past and cancelled' }).waitFor();
    expect(await page.getByRole('button', { name: /Request an appointment|Cancel appointment|Change time/ }).count()).toBe(0);
    await checkAtSizes(page, 'portal-appointments-phone-to-book', 'phone to book');
    expect(patient.problems).toEqual([]);
  });

  it('lets the patient request a free time once the practice allows it with approval', async () => {
    const admin = await newPage(demo.browser);
    await signIn(admin.page, demo.server.origin, demo.server.account('practice-admin'));
    const found = (await requestAsPage(admin.page, 'GET', '/fhir/R4/Organization?identifier=https://heron.dev/fhir/NamingSystem/practice|')).body as { entry: Array<{ resource: Organization }> };
    const org = found.entry[0]!.resource;
    const flags: Extension = { url: SELF_SCHEDULING, extension: ['book', 'cancel', 'reschedule', 'needsApproval'].map((url) => ({ url, valueBoolean: true })) };
    const saved = await requestAsPage(admin.page, 'PUT', `/fhir/R4/Organization/${org.id}`, { ...org, extension: [...(org.extension ?? []).filter((e) => e.url !== SELF_SCHEDULING), flags] });
    expect(saved.status).toBe(200);
    await admin.context.close();

    const page = patient.page;
    await page.reload();
    await page.getByRole('button', { name: 'Request an appointment' }).click();
    const form = page.getByRole('form', { name: 'Appointment request' });
    await form.getByRole('button', { name: /Visit type/ }).click();
    await page.getByRole('option', { name: /^Follow-up/ }).click();
    const firstTime = form.getByRole('radio').first();
    await firstTime.waitFor();
    // The clinicians who take appointments are offered, and any of them.
    await form.getByRole('button', { name: /Clinician/ }).click();
    await page.getByRole('option', { name: /Priya Natarajan/ }).waitFor();
    await page.getByRole('option', { name: /Dana Whitfield/ }).waitFor();
    await page.getByRole('option', { name: 'Any clinician' }).click();
    // Without a time the request is not sent, and says what is missing.
    await form.getByRole('button', { name: 'Send request' }).click();
    await form.getByText('Choose a time.').waitFor();
    await firstTime.click({ force: true });
    await form.getByTestId('chosen-time').waitFor();
    await form.getByRole('textbox', { name: 'Reason for the visit' }).fill(REASON);
    await checkAtSizes(page, 'portal-appointments-request', 'the request form');
    await form.getByRole('button', { name: 'Send request' }).click();
    await page.getByRole('status').filter({ hasText: 'The practice will confirm it' }).waitFor();
    const card = page.getByTestId('appointment').filter({ hasText: REASON });
    await card.getByText('Waiting for the practice to confirm').waitFor();
    await checkAtSizes(page, 'portal-appointments-requested', 'a visit requested');
    const mine = (await requestAsPage(page, 'GET', `/fhir/R4/Appointment?status=proposed&_count=50`)).body as { entry?: Array<{ resource: { start: string; description?: string; status: string } }> };
    const stored = mine.entry?.find((e) => e.resource.description === REASON)?.resource;
    expect(stored?.status).toBe('proposed');
    requestedStart = stored!.start;
    expect(patient.problems).toEqual([]);
  });

  it('lets the front desk book the request from their home', async () => {
    const desk = await newPage(demo.browser);
    try {
      await signIn(desk.page, demo.server.origin, demo.server.account('front-desk'));
      const panel = desk.page.getByRole('region', { name: /Requested by patients/ }).or(desk.page.locator('section', { has: desk.page.getByRole('heading', { name: /Requested by patients/ }) }));
      const row = desk.page.getByRole('row').filter({ hasText: REASON });
      await row.waitFor();
      await checkAtSizes(desk.page, 'front-desk-requested-appointments', 'the front desk’s requested appointments');
      await row.getByRole('button', { name: /^Book / }).click();
      await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0);
      await panel.first().getByText('No requests waiting.').waitFor();
      expect(desk.problems).toEqual([]);
    } finally {
      await desk.context.close();
    }
  });

  it('shows the patient it is booked and downloads it as an .ics calendar file', async () => {
    const page = patient.page;
    await page.reload();
    const card = page.getByTestId('appointment').filter({ hasText: REASON });
    await card.getByText('Confirmed').waitFor();
    expect(await card.getByText('Waiting for the practice to confirm').count()).toBe(0);
    await checkAtSizes(page, 'portal-appointments-booked', 'a visit booked');
    const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: /to my calendar \(\.ics\)/ }).click()]);
    expect(download.suggestedFilename()).toBe(`appointment-${requestedStart.slice(0, 10)}.ics`);
    const ics = await readFile((await download.path())!, 'utf8');
    expect(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(ics.endsWith('END:VEVENT\r\nEND:VCALENDAR\r\n')).toBe(true);
    const utc = new Date(requestedStart).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    expect(ics).toContain(`\r\nDTSTART:${utc}\r\n`);
    expect(ics).toContain('\r\nSTATUS:CONFIRMED\r\n');
    expect(ics).toMatch(/\r\nUID:appointment-[A-Za-z0-9.-]+@/);
    expect(ics).toMatch(/\r\nDTSTAMP:\d{8}T\d{6}Z\r\n/);

    // Cancelling asks why; keeping it changes nothing.
    await card.getByRole('button', { name: 'Cancel appointment' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this appointment?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel appointment' }).click();
    await dialog.getByText('Please say why.').waitFor();
    await checkAtSizes(page, 'portal-appointments-cancel', 'the cancel dialog', { fullPage: false });
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await card.getByText('Confirmed').waitFor();

    // Changing the time offers the free times of the same visit type.
    await card.getByRole('button', { name: 'Change time' }).click();
    await card.getByRole('form', { name: 'Change the time' }).getByRole('radio').first().waitFor();
    await checkAtSizes(page, 'portal-appointments-move', 'changing the time');
    await card.getByRole('button', { name: 'Keep the time' }).click();
    expect(patient.problems).toEqual([]);
  });
});

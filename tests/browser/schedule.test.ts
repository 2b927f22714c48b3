/**
 * The day of a practice in a real browser, one role after another: the front desk books a
 * follow-up in the week view, has a double booking refused with the server's words (the form
 * kept), reschedules and cancels, and checks a patient in from the arrivals list; the nurse sees
 * them in the rooming queue and rooms them with one press; the physician's home shows them roomed
 * and the visit can be ended. Screenshots of every screen at 1366×768, axe on every state.
 */
import type { Appointment, Patient } from '@medplum/fhirtypes';
import { addDays, format, startOfWeek } from 'date-fns';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoServer, expectAccessible, launchBrowser, newPage, screenshot, signIn } from './browser-fixture.ts';
import { api, createPatient } from './lists-fixture.ts';

describe('schedule: book, refuse a double booking, check in, room, see', () => {
  let server: DemoServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let desk: Page;
  let deskProblems: string[];
  let booked: Patient;
  let second: Patient;
  let arriving: Patient;
  // A Tuesday next week: free in the demo (the demo books today only), and never in the past.
  const tuesday = addDays(startOfWeek(addDays(new Date(), 7), { weekStartsOn: 1 }), 1);
  const tuesdayText = format(tuesday, 'yyyy-MM-dd');

  beforeAll(async () => {
    [server, browser] = await Promise.all([DemoServer.start(), launchBrowser()]);
    const opened = await newPage(browser);
    contexts.push(opened.context);
    desk = opened.page;
    deskProblems = opened.problems;
    await signIn(desk, server.origin, server.account('front-desk'));
    booked = await createPatient(desk, 'Schedwell', 'Ada', 'T-SCHED-1');
    second = await createPatient(desk, 'Doublebook', 'Ben', 'T-SCHED-2');
    arriving = await createPatient(desk, 'Arrivala', 'Cleo', 'T-SCHED-3');
    // Today at 07:00, before the demo's day starts, with the demo physician: to be checked in.
    const now = new Date();
    const start = new Date(now.getFullYear(), now.getMonth(), now.getDate(), 7, 0);
    const appointment = await api<Appointment>(desk, 'POST', 'Appointment', {
      resourceType: 'Appointment',
      status: 'booked',
      start: start.toISOString(),
      end: new Date(start.getTime() + 20 * 60_000).toISOString(),
      minutesDuration: 20,
      appointmentType: { coding: [{ system: 'urn:heron:visit-type', code: 'follow-up', display: 'Follow-up' }], text: 'Follow-up' },
      description: 'Blood pressure check',
      participant: [
        { actor: { reference: `Patient/${arriving.id}`, display: 'Arrivala, Cleo' }, status: 'accepted' },
        { actor: { reference: 'Practitioner/demo-physician', display: 'Dr. Dana Whitfield, MD' }, status: 'accepted' },
      ],
    });
    expect(appointment.status).toBe(201);
    // The home read today's list before the appointment was made.
    await desk.reload();
  }, 300_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.close();
  });

  const dialog = (page: Page) => page.getByRole('dialog');
  const choose = async (page: Page, label: string, option: string | RegExp) => {
    await dialog(page).getByRole('button', { name: new RegExp(`${label}$`) }).click();
    await page.getByRole('option', { name: option }).click();
  };
  const pickPatient = async (page: Page, text: string, name: RegExp) => {
    await dialog(page).getByLabel('Patient', { exact: true }).fill(text);
    await dialog(page).getByRole('option', { name }).click();
    await dialog(page).getByText(/^For /).waitFor();
  };

  it('the front desk home lists today’s arrivals with one-press check-in, and registration', async () => {
    await desk.getByRole('heading', { name: 'Front desk', level: 1 }).waitFor();
    const arrivals = desk.getByRole('grid', { name: 'Arrivals expected today' });
    await arrivals.getByRole('row', { name: /Arrivala, Cleo/ }).waitFor();
    expect(await desk.getByRole('button', { name: 'Check in Arrivala, Cleo' }).count()).toBe(1);
    await desk.getByRole('link', { name: 'Register a patient' }).waitFor();
    await expectAccessible(desk, 'the front desk home');
    await screenshot(desk, 'schedule-home-front-desk');
  });

  it('the schedule shows the practice’s day per clinician, and a clinician’s week', async () => {
    await desk.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schedule' }).click();
    await desk.getByRole('heading', { name: 'Schedule', level: 1 }).waitFor();
    // The whole practice: a column per clinician with a Schedule.
    await desk.getByRole('region', { name: /^Dr\. Dana Whitfield, MD, / }).waitFor();
    await desk.getByRole('region', { name: /^Priya Natarajan, NP, / }).waitFor();
    await desk.getByRole('button', { name: /Arrivala, Cleo, Follow-up, Booked/ }).waitFor();
    await expectAccessible(desk, 'the schedule, day view, whole practice');
    await screenshot(desk, 'schedule-day');

    await desk.getByRole('radio', { name: 'Week' }).click();
    await desk.getByRole('button', { name: /Clinician$/ }).click();
    await desk.getByRole('option', { name: 'Dr. Dana Whitfield, MD' }).click();
    await desk.getByRole('button', { name: 'Next week' }).click();
    await desk.getByText(`Week of ${format(startOfWeek(tuesday, { weekStartsOn: 1 }), 'd MMMM yyyy')}`).waitFor();
    await desk.getByRole('region', { name: new RegExp(`^Dr\\. Dana Whitfield, MD, ${format(tuesday, 'EEEE d MMMM')}: nothing booked`) }).waitFor();
    expect(new URL(desk.url()).searchParams.get('view')).toBe('week');
    await expectAccessible(desk, 'the schedule, week view, one clinician');
    await screenshot(desk, 'schedule-week-empty');
  });

  it('books a follow-up in the week view; the visit type sets the length', async () => {
    // "b" books (a single-key shortcut, listed under "?"); the patient search has focus.
    await desk.keyboard.press('b');
    await expect.poll(() => desk.evaluate<string | null>("document.activeElement && document.activeElement.getAttribute('placeholder')"), { timeout: 30_000 }).toBe('Name, birth date or MRN');
    await dialog(desk).getByRole('heading', { name: 'Book an appointment' }).waitFor();
    await expectAccessible(desk, 'the booking dialog, empty');
    await pickPatient(desk, 'Schedwell', /Schedwell, Ada/);
    await dialog(desk).getByText(/MRN T-SCHED-1/).waitFor();
    expect(await dialog(desk).textContent()).toMatch(/For Schedwell, Ada · born .* · MRN T-SCHED-1/);
    await choose(desk, 'Visit type', /^New patient · 40 min$/);
    expect(await dialog(desk).getByLabel('Minutes', { exact: true }).inputValue()).toBe('40');
    await choose(desk, 'Visit type', /^Follow-up · 20 min$/);
    expect(await dialog(desk).getByLabel('Minutes', { exact: true }).inputValue()).toBe('20');
    await dialog(desk).getByLabel('Day', { exact: true }).fill(tuesdayText);
    await dialog(desk).getByLabel('Time', { exact: true }).fill('10:00');
    await dialog(desk).getByLabel('Reason', { exact: true }).fill('Review blood pressure diary');
    await expectAccessible(desk, 'the booking dialog, filled');
    await screenshot(desk, 'schedule-book-dialog');
    await dialog(desk).getByRole('button', { name: 'Book', exact: true }).click();
    await dialog(desk).waitFor({ state: 'hidden' });
    const block = desk.getByRole('button', { name: /^10:00–10:20 Schedwell, Ada, Follow-up, Booked/ });
    await block.waitFor();
    await expectAccessible(desk, 'the week with the new booking');
    await screenshot(desk, 'schedule-week-booked');
  });

  it('a double booking is refused with the server’s message, and what was typed is kept', async () => {
    await desk.getByRole('button', { name: 'Book appointment' }).click();
    await pickPatient(desk, 'Doublebook', /Doublebook, Ben/);
    await dialog(desk).getByLabel('Day', { exact: true }).fill(tuesdayText);
    await dialog(desk).getByLabel('Time', { exact: true }).fill('10:10');
    await dialog(desk).getByLabel('Reason', { exact: true }).fill('Knee pain');
    await dialog(desk).getByRole('button', { name: 'Book', exact: true }).click();
    const alert = dialog(desk).getByRole('alert');
    await alert.getByText('Not booked: that time is taken').waitFor();
    expect(await alert.textContent()).toMatch(/Dr\. Dana Whitfield, MD is already booked 10:00–10:20 on .* with Schedwell, Ada \(Appointment\/[^)]+\)\. Choose another time or another clinician\./);
    // Nothing typed is lost.
    expect(await dialog(desk).getByLabel('Time', { exact: true }).inputValue()).toBe('10:10');
    expect(await dialog(desk).getByLabel('Reason', { exact: true }).inputValue()).toBe('Knee pain');
    expect(await dialog(desk).textContent()).toMatch(/For Doublebook, Ben/);
    await expectAccessible(desk, 'the booking dialog with a refused double booking');
    await screenshot(desk, 'schedule-double-booking-refused');
    // Another time is fine.
    await dialog(desk).getByLabel('Time', { exact: true }).fill('10:20');
    await dialog(desk).getByRole('button', { name: 'Book', exact: true }).click();
    await dialog(desk).waitFor({ state: 'hidden' });
    await desk.getByRole('button', { name: /^10:20–10:40 Doublebook, Ben/ }).waitFor();
  });

  it('reschedules and cancels from an appointment, with a reason', async () => {
    await desk.getByRole('button', { name: /^10:20–10:40 Doublebook, Ben/ }).click();
    await dialog(desk).getByText(/For Doublebook, Ben/).waitFor();
    await expectAccessible(desk, 'an appointment, booked');
    await screenshot(desk, 'schedule-appointment-dialog');
    await dialog(desk).getByRole('button', { name: 'Reschedule' }).click();
    await dialog(desk).getByRole('heading', { name: 'Reschedule appointment' }).waitFor();
    await dialog(desk).getByLabel('Time', { exact: true }).fill('11:00');
    await dialog(desk).getByRole('button', { name: 'Move appointment' }).click();
    await dialog(desk).waitFor({ state: 'hidden' });
    await desk.getByRole('button', { name: /^11:00–11:20 Doublebook, Ben/ }).click();
    await dialog(desk).getByRole('button', { name: 'Cancel…' }).click();
    await dialog(desk).getByRole('button', { name: 'Cancel appointment of Doublebook, Ben' }).click();
    await dialog(desk).getByText('Say why, for the record.').waitFor();
    await dialog(desk).getByLabel('Why is it cancelled?').fill('Patient called');
    await dialog(desk).getByRole('button', { name: 'Cancel appointment of Doublebook, Ben' }).click();
    await dialog(desk).waitFor({ state: 'hidden' });
    await desk.getByRole('button', { name: /^11:00–11:20 Doublebook, Ben, Follow-up, Cancelled/ }).waitFor();
  });

  it('the front desk checks a patient in from the arrivals', async () => {
    await desk.getByRole('link', { name: 'Heron home' }).click();
    await desk.getByRole('button', { name: 'Check in Arrivala, Cleo' }).click();
    await desk.getByRole('grid', { name: 'Checked in' }).getByRole('row', { name: /Arrivala, Cleo/ }).waitFor();
    const stored = await api<{ entry?: Array<{ resource: Appointment }> }>(desk, 'GET', `Appointment?patient=${arriving.id}`);
    expect(stored.body.entry?.[0]?.resource.status).toBe('arrived');
    await expectAccessible(desk, 'the front desk home after a check-in');
    await screenshot(desk, 'schedule-home-front-desk-checked-in');
    expect(deskProblems).toEqual([]);
  });

  it('the nurse sees them in the rooming queue and rooms them with one press', async () => {
    const { context, page, problems } = await newPage(browser);
    contexts.push(context);
    await signIn(page, server.origin, server.account('nurse'));
    await page.getByRole('heading', { name: 'Rooming', level: 1 }).waitFor();
    const queue = page.getByRole('grid', { name: 'Waiting to be roomed' });
    await queue.getByRole('row', { name: /Arrivala, Cleo/ }).waitFor();
    await expectAccessible(page, 'the rooming queue');
    await screenshot(page, 'schedule-home-nurse-queue');
    await page.getByRole('button', { name: 'Room Arrivala, Cleo', exact: true }).click();
    const inRooms = page.getByRole('grid', { name: 'In rooms' });
    const roomed = inRooms.getByRole('row', { name: /Arrivala, Cleo/ });
    await roomed.waitFor();
    expect(await roomed.textContent()).toMatch(/Exam room 1.*Dr\. Dana Whitfield, MD.*Follow-up.*Enter vitals/);
    expect(await page.getByRole('link', { name: 'Enter vitals for Arrivala, Cleo' }).getAttribute('href')).toBe(`/patients/${arriving.id}/vitals`);
    const encounters = await api<{ entry?: Array<{ resource: { status: string; location: Array<{ location: { display: string } }> } }> }>(page, 'GET', `Encounter?patient=${arriving.id}`);
    expect(encounters.body.entry).toHaveLength(1);
    expect(encounters.body.entry![0]!.resource).toMatchObject({ status: 'in-progress', location: [{ location: { display: 'Exam room 1' } }] });
    await expectAccessible(page, 'the rooming home with a patient in a room');
    await screenshot(page, 'schedule-home-nurse-roomed');
    expect(problems).toEqual([]);
  });

  it('the medical assistant has the same rooming home', async () => {
    const { context, page } = await newPage(browser);
    contexts.push(context);
    await signIn(page, server.origin, server.account('medical-assistant'));
    await page.getByRole('heading', { name: 'Rooming', level: 1 }).waitFor();
    await page.getByRole('grid', { name: 'In rooms' }).getByRole('row', { name: /Arrivala, Cleo/ }).waitFor();
    await expectAccessible(page, 'the medical assistant’s home');
  });

  it('the physician’s home shows each patient’s status; ending the visit marks them seen', async () => {
    const { context, page, problems } = await newPage(browser);
    contexts.push(context);
    await signIn(page, server.origin, server.account('physician'));
    await page.getByRole('heading', { name: 'Today’s patients', level: 1 }).waitFor();
    const row = page.getByRole('grid', { name: 'Patients to see today' }).getByRole('row', { name: /Arrivala, Cleo/ });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/07:00.*Follow-up · Blood pressure check.*Roomed Exam room 1/);
    // The demo day's other patients are booked.
    expect(await page.getByRole('grid', { name: 'Patients to see today' }).getByText('Booked').count()).toBeGreaterThan(0);
    await page.locator('[data-slot="inbox-counts"]').waitFor();
    await expectAccessible(page, 'the physician’s home');
    await screenshot(page, 'schedule-home-physician');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schedule' }).click();
    // A physician's schedule opens on their own day.
    await page.getByText(/· Dr\. Dana Whitfield, MD$/).waitFor();
    await page.getByRole('button', { name: /Arrivala, Cleo, Follow-up, Roomed in Exam room 1/ }).click();
    await expectAccessible(page, 'a roomed visit');
    await screenshot(page, 'schedule-visit-roomed');
    await dialog(page).getByRole('button', { name: 'Visit done' }).click();
    await dialog(page).waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: /Arrivala, Cleo, Follow-up, Seen/ }).waitFor();
    await screenshot(page, 'schedule-day-physician');
    expect(problems).toEqual([]);
  });

  it('a practice administrator edits the visit types the booking dialog offers', async () => {
    const { context, page, problems } = await newPage(browser);
    contexts.push(context);
    await signIn(page, server.origin, server.account('practice-admin'));
    await page.goto(`${server.origin}/schedule`);
    await page.getByRole('heading', { name: 'Schedule', level: 1 }).waitFor();
    // Administrators book nothing (scheduling is read-only for them) but keep the catalogue.
    expect(await page.getByRole('button', { name: 'Book appointment' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Visit types' }).click();
    await dialog(page).getByRole('button', { name: 'Save Follow-up' }).waitFor();
    await dialog(page).getByLabel('New visit type').fill('Telehealth check');
    await dialog(page).getByLabel('Minutes', { exact: true }).last().fill('15');
    await dialog(page).getByRole('button', { name: 'Add' }).click();
    await dialog(page).getByRole('button', { name: 'Save Telehealth check' }).waitFor();
    await expectAccessible(page, 'the visit types dialog');
    await screenshot(page, 'schedule-visit-types');
    const stored = await api<{ entry?: Array<{ resource: { timingDuration: { value: number } } }> }>(page, 'GET', 'ActivityDefinition?title=Telehealth');
    expect(stored.body.entry?.[0]?.resource.timingDuration.value).toBe(15);
    expect(problems).toEqual([]);
  });
});

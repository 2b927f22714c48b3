/**
 * One routine follow-up visit from arrival to signed note, as issue 11 asks, each person in their
 * own browser: the front desk checks the patient in; the nurse rooms them and enters vitals; the
 * physician writes the note from a template with the vitals inserted, fills a PHQ-9 and sees the
 * score, orders a CBC and acetaminophen, and signs; an edit of the signed note through the API is
 * refused and an addendum is shown; the front desk books the follow-up; the physician prints the
 * after-visit summary and files it to the chart; the CBC's result, posted
 * through the API, appears live in the physician's inbox and leaves it once signed.
 *
 * Interactions are counted as ux-checks.md counts them (pointer presses, and keys other than
 * typing; a chord once) on every page, and reported per person and in all.
 */
import type { Appointment, DocumentReference, Patient, ServiceRequest } from '@medplum/fhirtypes';
import { addDays, format } from 'date-fns';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoServer, expectAccessible, launchBrowser, newPage, screenshot, signIn } from './browser-fixture.ts';
import { api } from './lists-fixture.ts';

const COUNTER = `
  window.heronInteractions = 0;
  addEventListener('pointerdown', () => window.heronInteractions++, true);
  addEventListener('keydown', (e) => {
    if (['Shift', 'Alt', 'Control', 'Meta'].includes(e.key)) return;
    if (e.key.length > 1 || e.altKey || e.ctrlKey || e.metaKey) window.heronInteractions++;
  }, true);
`;

describe('a whole ambulatory visit: check-in, rooming and vitals, note, PHQ-9, orders, sign, addendum, follow-up, live result', () => {
  let server: DemoServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pages: Record<'desk' | 'nurse' | 'doctor', Page> = {} as Record<'desk' | 'nurse' | 'doctor', Page>;
  const problems: string[][] = [];
  const counted: Record<string, number> = {};
  let patient: Patient;
  let noteUrl: string;
  let noteId: string;

  const open = async (who: 'desk' | 'nurse' | 'doctor', role: string) => {
    const opened = await newPage(browser);
    contexts.push(opened.context);
    problems.push(opened.problems);
    await opened.page.addInitScript(COUNTER);
    await signIn(opened.page, server.origin, server.account(role));
    pages[who] = opened.page;
    return opened.page;
  };
  const interactions = (page: Page) => page.evaluate<number>('window.heronInteractions');
  /** Counts one step's interactions (the counter restarts on each page load, so steps that navigate by link keep one page). */
  const step = async (name: string, page: Page, run: () => Promise<void>) => {
    await page.evaluate('void (window.heronInteractions = 0)');
    await run();
    counted[name] = await interactions(page);
  };
  const dialog = (page: Page) => page.getByRole('dialog');
  const chartSection = (page: Page, name: string) => page.getByRole('navigation', { name: 'Chart sections' }).getByRole('link', { name, exact: true }).click();

  beforeAll(async () => {
    [server, browser] = await Promise.all([DemoServer.start(), launchBrowser()]);
    const desk = await open('desk', 'front-desk');
    const created = await api<Patient>(desk, 'POST', 'Patient', {
      resourceType: 'Patient',
      identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, system: 'urn:heron:test:mrn', value: 'T-VISIT-1' }],
      name: [{ family: 'Visitwell', given: ['Nora'] }],
      gender: 'female',
      birthDate: '1958-02-11',
      generalPractitioner: [{ reference: 'Practitioner/demo-physician' }],
    });
    expect(created.status).toBe(201);
    patient = created.body;
    // Today at 07:30, before the demo's day starts: a follow-up with the demo physician.
    const now = new Date();
    const start = new Date(now.getFullYear(), now.getMonth(), now.getDate(), 7, 30);
    const appointment = await api<Appointment>(desk, 'POST', 'Appointment', {
      resourceType: 'Appointment',
      status: 'booked',
      start: start.toISOString(),
      end: new Date(start.getTime() + 20 * 60_000).toISOString(),
      minutesDuration: 20,
      appointmentType: { coding: [{ system: 'urn:heron:visit-type', code: 'follow-up', display: 'Follow-up' }], text: 'Follow-up' },
      description: 'Blood pressure and mood follow-up',
      participant: [
        { actor: { reference: `Patient/${patient.id}`, display: 'Visitwell, Nora' }, status: 'accepted' },
        { actor: { reference: 'Practitioner/demo-physician', display: 'Dr. Dana Whitfield, MD' }, status: 'accepted' },
      ],
    });
    expect(appointment.status).toBe(201);
    await desk.reload();
  }, 300_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.close();
    const total = Object.values(counted).reduce((a, b) => a + b, 0);
    console.info(`whole visit: interactions per step ${JSON.stringify(counted)}; in all ${total}`);
  });

  it('the front desk checks the patient in', async () => {
    const desk = pages.desk;
    await desk.getByRole('grid', { name: 'Arrivals expected today' }).getByRole('row', { name: /Visitwell, Nora/ }).waitFor();
    await step('check in', desk, async () => {
      await desk.getByRole('button', { name: 'Check in Visitwell, Nora' }).click();
      await desk.getByRole('grid', { name: 'Checked in' }).getByRole('row', { name: /Visitwell, Nora/ }).waitFor();
    });
    await expectAccessible(desk, 'the front desk after check-in');
    await screenshot(desk, 'visit-1-checked-in');
  });

  it('the nurse rooms the patient and enters vitals', async () => {
    const nurse = await open('nurse', 'nurse');
    await nurse.getByRole('grid', { name: 'Waiting to be roomed' }).getByRole('row', { name: /Visitwell, Nora/ }).waitFor();
    await step('room and vitals', nurse, async () => {
      await nurse.getByRole('button', { name: 'Room Visitwell, Nora', exact: true }).click();
      await nurse.getByRole('grid', { name: 'In rooms' }).getByRole('row', { name: /Visitwell, Nora/ }).waitFor();
      await nurse.getByRole('link', { name: 'Enter vitals for Visitwell, Nora' }).click();
      await nurse.getByRole('heading', { name: 'Record vital signs' }).waitFor();
      await nurse.getByRole('textbox', { name: 'Systolic (mmHg)' }).fill('132');
      await nurse.getByRole('textbox', { name: 'Diastolic (mmHg)' }).fill('84');
      await nurse.getByRole('textbox', { name: 'Heart rate (/min)' }).fill('76');
      await nurse.getByRole('textbox', { name: 'Weight' }).fill('70');
      await nurse.getByRole('button', { name: 'Save vital signs' }).click();
      await nurse.getByRole('status').filter({ hasText: /Saved \d vital signs at/ }).waitFor();
    });
    // The banner says whose chart this is.
    expect(await nurse.locator('.chart-banner-slot').textContent()).toMatch(/Visitwell, Nora.*T-VISIT-1/);
    // Saving scrolled to its message; at the top nothing is half under the sticky banner (which axe's target-size counts as overlap).
    await nurse.evaluate('window.scrollTo(0, 0)');
    await expectAccessible(nurse, 'the vitals saved by the nurse');
    await screenshot(nurse, 'visit-2-vitals');
  });

  it('the physician writes the note from a template with the vitals inserted', async () => {
    const doctor = await open('doctor', 'physician');
    const today = doctor.getByRole('grid', { name: 'Patients to see today' }).getByRole('row', { name: /Visitwell, Nora/ });
    await today.waitFor();
    await expect.poll(() => today.textContent(), { timeout: 30_000 }).toMatch(/Roomed/);
    await screenshot(doctor, 'visit-3-physician-home');
    await step('open chart, note from template, insert vitals', doctor, async () => {
      await today.click();
      await doctor.locator('.chart-banner-slot').getByText('Visitwell, Nora').waitFor();
      await chartSection(doctor, 'Notes');
      await doctor.getByRole('link', { name: 'New note' }).click();
      await doctor.getByRole('button', { name: 'Follow-up visit (SOAP)' }).click();
      const section = (name: string) => doctor.getByRole('textbox', { name, exact: true });
      await section('Subjective').waitFor();
      await doctor.keyboard.type('BP and mood follow-up. Sleeping better.');
      await section('Objective').click();
      await doctor.keyboard.type('Well.');
      await doctor.keyboard.press('Alt+Shift+KeyV');
      await expect.poll(() => section('Objective').inputValue(), { timeout: 10_000 }).toMatch(/\[Inserted from chart: Vitals, as of .+\]\nBP 132\/84 mmHg · Heart rate 76\/min/);
      await section('Plan').click();
      await doctor.keyboard.type('Continue current treatment. CBC today. Follow up in 4 weeks.');
      await doctor.getByText(/^Draft saved .+/).waitFor({ timeout: 30_000 });
    });
    noteUrl = new URL(doctor.url()).pathname;
    noteId = noteUrl.split('/').at(-1)!;
    await expectAccessible(doctor, 'the note being written');
    await screenshot(doctor, 'visit-4-note');
  });

  it('the physician fills a PHQ-9 and sees the score', async () => {
    const doctor = pages.doctor;
    await step('PHQ-9', doctor, async () => {
      await chartSection(doctor, 'Screening');
      await doctor.getByRole('radiogroup', { name: 'Questionnaire' }).locator('label', { hasText: 'PHQ-9' }).click();
      const answers = ['Several days', 'Several days', 'More than half the days', 'Several days', 'Not at all', 'Several days', 'Not at all', 'Not at all', 'Not at all'];
      for (const [i, answer] of answers.entries()) {
        await doctor.getByRole('radiogroup', { name: new RegExp(`^${i + 1}\\.`) }).locator('label', { hasText: answer }).click();
      }
      await doctor.getByRole('button', { name: 'Save and score' }).click();
      const result = doctor.getByRole('status').filter({ hasText: 'Saved.' });
      await result.waitFor();
      expect(await result.textContent()).toMatch(/PHQ-9 score 6\s*Mild depression/);
    });
    await expectAccessible(doctor, 'the scored PHQ-9');
    await screenshot(doctor, 'visit-5-phq9');
  });

  it('the physician orders a CBC and acetaminophen', async () => {
    const doctor = pages.doctor;
    await step('orders', doctor, async () => {
      await chartSection(doctor, 'Orders');
      await doctor.getByRole('button', { name: 'Order labs' }).and(doctor.locator(':not([disabled])')).click();
      await dialog(doctor).locator('label', { hasText: 'Complete blood count (CBC)' }).click();
      await dialog(doctor).getByRole('button', { name: /^Sign and order/ }).click();
      await dialog(doctor).waitFor({ state: 'hidden' });
      const labs = doctor.getByRole('grid', { name: /Lab orders/ });
      await labs.getByRole('row', { name: /Complete blood count \(CBC\)/ }).waitFor();
      await doctor.getByRole('button', { name: 'Order medication' }).click();
      await dialog(doctor).getByRole('heading', { name: 'Order a medication' }).waitFor();
      await doctor.keyboard.type('acetaminophen 325');
      await doctor.getByRole('option', { name: /^acetaminophen 325 MG Oral Tablet/ }).first().click();
      await dialog(doctor).getByRole('button', { name: /Acetaminophen 325 mg: 2 tablets every 6 hours as needed for pain/ }).click();
      await dialog(doctor).getByRole('button', { name: 'Sign order' }).click();
      await dialog(doctor).waitFor({ state: 'hidden' });
      await doctor.getByRole('grid', { name: /Medication orders/ }).getByRole('row', { name: /acetaminophen 325 MG Oral Tablet/ }).waitFor();
    });
    await expectAccessible(doctor, 'the visit’s orders');
    await screenshot(doctor, 'visit-6-orders');
  });

  it('the physician signs the note; a change through the API is refused; an addendum is shown', async () => {
    const doctor = pages.doctor;
    await step('sign the note', doctor, async () => {
      await chartSection(doctor, 'Notes');
      await doctor.getByRole('grid', { name: 'Visit notes' }).getByRole('row', { name: /Progress note|Follow-up/ }).first().click();
      await doctor.waitForURL((url) => url.pathname === noteUrl);
      await doctor.getByRole('button', { name: 'Sign…' }).click();
      expect(await dialog(doctor).textContent()).toMatch(/For Visitwell, Nora · MRN T-VISIT-1/);
      await dialog(doctor).getByRole('button', { name: 'Sign note' }).click();
      await doctor.getByText('Signed · locked').waitFor();
    });
    await expectAccessible(doctor, 'the signed note');
    await screenshot(doctor, 'visit-7-signed');

    const stored = await api<DocumentReference>(doctor, 'GET', `DocumentReference/${noteId}`);
    expect(stored.body.docStatus).toBe('final');
    expect(stored.body.context?.encounter?.[0]?.reference).toMatch(/^Encounter\//);
    const put = await api<{ issue: Array<{ diagnostics?: string }> }>(doctor, 'PUT', `DocumentReference/${noteId}`, { ...stored.body, description: 'changed after signing' });
    expect(put.status).toBe(409);
    expect(put.body.issue[0]!.diagnostics).toMatch(/a signed note cannot be changed\. Add an addendum instead\./);

    await doctor.getByRole('link', { name: 'Add addendum' }).click();
    await doctor.getByRole('button', { name: 'Write the addendum' }).click();
    await doctor.getByRole('textbox', { name: 'Addendum', exact: true }).fill('PHQ-9 of 6 (mild) discussed; no thoughts of self-harm.');
    await doctor.getByText(/^Draft saved .+/).waitFor({ timeout: 30_000 });
    await doctor.getByRole('button', { name: 'Sign…' }).click();
    await dialog(doctor).getByRole('button', { name: 'Sign note' }).click();
    await doctor.goto(`${server.origin}${noteUrl}`);
    const addenda = doctor.getByRole('list', { name: 'Addenda' });
    await addenda.getByText(/PHQ-9 of 6 \(mild\) discussed/).waitFor();
    expect(await addenda.textContent()).toMatch(/Dana Whitfield/);
    await screenshot(doctor, 'visit-8-addendum');
  });

  it('the front desk books the follow-up in four weeks', async () => {
    const desk = pages.desk;
    const day = addDays(new Date(), 28);
    await step('book the follow-up', desk, async () => {
      await desk.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schedule' }).click();
      await desk.getByRole('heading', { name: 'Schedule', level: 1 }).waitFor();
      await desk.getByRole('button', { name: 'Book appointment' }).click();
      await dialog(desk).getByLabel('Patient', { exact: true }).fill('Visitwell');
      await dialog(desk).getByRole('option', { name: /Visitwell, Nora/ }).click();
      await dialog(desk).getByText(/^For /).waitFor();
      await dialog(desk).getByRole('button', { name: /Visit type$/ }).click();
      await desk.getByRole('option', { name: /^Follow-up · 20 min$/ }).click();
      await dialog(desk).getByLabel('Day', { exact: true }).fill(format(day, 'yyyy-MM-dd'));
      await dialog(desk).getByLabel('Time', { exact: true }).fill('09:00');
      await dialog(desk).getByRole('button', { name: 'Book', exact: true }).click();
      await dialog(desk).waitFor({ state: 'hidden' });
    });
    const booked = await api<{ entry?: Array<{ resource: Appointment }> }>(desk, 'GET', `Appointment?patient=${patient.id}&date=${format(day, 'yyyy-MM-dd')}`);
    expect(booked.body.entry?.map((e) => e.resource.status)).toEqual(['booked']);
    await screenshot(desk, 'visit-9-follow-up');
  });

  it('the physician prints the after-visit summary and files it to the chart', async () => {
    const doctor = pages.doctor;
    await doctor.goto(`${server.origin}${noteUrl}`);
    await step('after-visit summary', doctor, async () => {
      await doctor.getByRole('button', { name: 'After-visit summary' }).click();
      const summary = dialog(doctor);
      await summary.getByText(/For Visitwell, Nora · MRN T-VISIT-1/).waitFor();
      await expect.poll(() => summary.locator('iframe.print-pdf').getAttribute('src'), { timeout: 30_000 }).toMatch(/^blob:/);
      await summary.getByRole('button', { name: 'File to the chart' }).click();
      await summary.getByRole('status').filter({ hasText: 'Filed to the chart' }).waitFor();
    });
    await expectAccessible(doctor, 'the after-visit summary');
    await screenshot(doctor, 'visit-9b-after-visit-summary');
    const filed = await api<{ entry?: Array<{ resource: DocumentReference }> }>(doctor, 'GET', `DocumentReference?patient=${patient.id}&type=urn:heron:document-type|after-visit-summary`);
    const avs = filed.body.entry?.[0]?.resource;
    expect(avs?.content[0]?.attachment.contentType).toBe('application/pdf');
    expect(avs?.context?.related).toEqual([{ reference: `DocumentReference/${noteId}` }]);
    expect(avs?.context?.encounter?.[0]?.reference).toMatch(/^Encounter\//);
    await dialog(doctor).getByRole('button', { name: 'Close' }).click();
  });

  it('the CBC’s result, posted through the API, appears live in the physician’s inbox and leaves it once signed', async () => {
    const doctor = pages.doctor;
    await doctor.getByRole('link', { name: /^Inbox/ }).click();
    await doctor.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    await doctor.evaluate('void (window.heronNotReloaded = true)');
    const orders = await api<{ entry?: Array<{ resource: ServiceRequest }> }>(doctor, 'GET', `ServiceRequest?patient=${patient.id}&code=http://loinc.org|58410-2`);
    const cbc = orders.body.entry![0]!.resource;
    const posted = await api(doctor, 'POST', 'Observation', {
      resourceType: 'Observation',
      status: 'final',
      basedOn: [{ reference: `ServiceRequest/${cbc.id}` }],
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '718-7', display: 'Hemoglobin [Mass/volume] in Blood' }], text: 'Hemoglobin' },
      subject: { reference: `Patient/${patient.id}` },
      effectiveDateTime: new Date().toISOString(),
      valueQuantity: { value: 13.1, unit: 'g/dL', system: 'http://unitsofmeasure.org', code: 'g/dL' },
      referenceRange: [{ low: { value: 12, unit: 'g/dL' }, high: { value: 15.5, unit: 'g/dL' } }],
    });
    expect(posted.status).toBe(201);
    const arrived = doctor.getByRole('listitem').filter({ hasText: /Visitwell, Nora/ }).filter({ hasText: 'Hemoglobin' });
    await arrived.waitFor({ timeout: 10_000 });
    expect(await doctor.evaluate<boolean>('window.heronNotReloaded === true')).toBe(true);
    await expectAccessible(doctor, 'the inbox with the visit’s result');
    await screenshot(doctor, 'visit-10-inbox');
    await step('sign the result', doctor, async () => {
      await arrived.getByRole('button', { name: /^Sign: Hemoglobin/ }).click();
      await arrived.waitFor({ state: 'detached' });
    });
    for (const p of problems) expect(p).toEqual([]);
  });
});

/**
 * Forms in a real browser (docs/questionnaires.md#forms-sent-to-the-patient): a physician sends a
 * PHQ-9 from the chart; the patient, on a phone (375×812), sees the hint on My health, opens
 * Forms, answers part of it and saves it to finish later (the answers survive a reload), is told
 * which questions are left when sending too early, and sends it; the physician sees the answers
 * in the chart, marked as entered by the patient, with the server's score, and an urgent review
 * in their inbox (item 9 flagged). Screenshots at both
 * sizes, axe on every screen.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkAtSizes, expectAccessible, newPage, PHONE, requestAsPage, screenshot, signIn, useDemoServer } from './browser-fixture.ts';

/** Total 11 (moderate), item 9 answered "Several days": flagged. */
const ANSWERS = ['Several days', 'More than half the days', 'More than half the days', 'Several days', 'Not at all', 'Several days', 'More than half the days', 'Several days', 'Several days'];

async function answer(page: Page, number: number, text: string): Promise<void> {
  await page.getByRole('radiogroup', { name: new RegExp(`^${number}\\.`) }).locator('label', { hasText: text }).click();
}

describe('the portal: forms', () => {
  const demo = useDemoServer();
  let patientId: string;

  beforeAll(async () => {
    patientId = demo.server.account('patient').fhirUser!.slice('Patient/'.length);
  }, 300_000);

  it('a physician sends a PHQ-9 from the chart', async () => {
    const { context, page, problems } = await newPage(demo.browser);
    try {
      await signIn(page, demo.server.origin, demo.server.account('physician'));
      await page.goto(`${demo.server.origin}/patients/${patientId}/screening`);
      const panel = page.getByRole('region', { name: 'Forms for the patient to fill in' });
      await panel.getByText('No form sent to this patient yet.').waitFor();
      await panel.getByRole('button', { name: /Form$/ }).click();
      // The practice's fillable questionnaires: the intake form too.
      await page.getByRole('option', { name: 'Before your visit', exact: true }).waitFor();
      await page.getByRole('option', { name: 'PHQ-9', exact: true }).click();
      await panel.getByLabel('Fill in by (optional)').fill('2030-01-15');
      await panel.getByRole('button', { name: 'Send to the patient' }).click();
      await panel.getByRole('status').filter({ hasText: 'Sent.' }).waitFor();
      await panel.getByText('Waiting for the patient').waitFor();
      await expectAccessible(page, 'the chart, a form sent');
      // And the intake form, with no date.
      await panel.getByRole('button', { name: /Form$/ }).click();
      await page.getByRole('option', { name: 'Before your visit', exact: true }).click();
      await panel.getByRole('button', { name: 'Send to the patient' }).click();
      await panel.getByRole('listitem').filter({ hasText: 'Before your visit' }).getByText('Waiting for the patient').waitFor();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the patient, on a phone, saves part of it, comes back, and sends it', async () => {
    const { context, page, problems } = await newPage(demo.browser);
    try {
      await page.setViewportSize(PHONE);
      await signIn(page, demo.server.origin, demo.server.account('patient'));
      await page.waitForURL(`${demo.server.origin}/portal`);
      const hint = page.getByRole('note').filter({ hasText: 'Your care team sent you 2 forms to fill in.' });
      await hint.waitFor();
      await expectAccessible(page, 'My health with the forms hint');
      await screenshot(page, 'portal-forms-hint-phone');
      await hint.getByRole('link', { name: 'See forms' }).click();

      await page.waitForURL(`${demo.server.origin}/portal/forms`);
      await page.getByRole('heading', { name: 'Forms', level: 1 }).waitFor();
      const toFill = page.getByRole('region', { name: 'To fill in' });
      await toFill.getByText('PHQ-9').waitFor();
      expect(await toFill.textContent()).toMatch(/From Dr\.? .+Please fill in by Jan 15, 2030/s);
      await page.getByRole('region', { name: 'Sent to your care team' }).getByText('No forms sent yet.').waitFor();
      await checkAtSizes(page, 'portal-forms', 'Forms', { leaveAt: 'phone' });
      // Nothing is wider than a phone.
      expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

      // The intake form: free text and yes/no; begun and saved for later.
      await toFill.getByRole('link', { name: 'Fill in Before your visit' }).click();
      await page.getByRole('heading', { name: 'Before your visit', level: 1 }).waitFor();
      await page.getByLabel('1. What is the main reason for your visit?').fill('Knee pain when climbing stairs');
      await answer(page, 2, 'No');
      await checkAtSizes(page, 'portal-forms-intake', 'the intake form', { leaveAt: 'phone' });
      await page.getByRole('button', { name: 'Save and finish later' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved. You can finish it later' }).waitFor();
      await page.getByRole('link', { name: 'Back to forms' }).click();
      await toFill.getByRole('listitem').filter({ hasText: 'Before your visit' }).getByText('Started').waitFor();

      await toFill.getByRole('link', { name: 'Fill in PHQ-9' }).click();
      await page.getByRole('heading', { name: 'PHQ-9', level: 1 }).waitFor();
      for (let i = 0; i < 4; i++) await answer(page, i + 1, ANSWERS[i]!);
      await page.getByText('4 of 9 answered').waitFor();
      await page.getByRole('button', { name: 'Save and finish later' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved. You can finish it later' }).waitFor();
      // Saved on the server, as in progress, and the form shows as started.
      const saved = (await requestAsPage(page, 'GET', `/fhir/R4/QuestionnaireResponse?subject=Patient/${patientId}&status=in-progress&questionnaire=https://heron.dev/fhir/Questionnaire/phq-9`)).body as { entry?: Array<{ resource: { item?: unknown[] } }> };
      expect(saved.entry?.[0]?.resource.item).toHaveLength(4);

      // Another device: nothing in this browser, the answers come from the server.
      await page.evaluate(() => (globalThis as unknown as { localStorage: { clear(): void } }).localStorage.clear());
      await page.reload();
      await page.getByText('4 of 9 answered').waitFor();
      expect(await page.getByRole('radiogroup', { name: /^2\./ }).getByRole('radio', { name: ANSWERS[1]! }).isChecked()).toBe(true);

      // Sending too early says which questions are left, and keeps what is typed.
      await page.getByRole('button', { name: 'Send to my care team' }).click();
      await page.getByRole('alert').filter({ hasText: 'Please answer questions 5, 6, 7, 8, 9 before sending.' }).waitFor();
      await checkAtSizes(page, 'portal-forms-fill', 'filling a form, some unanswered', { leaveAt: 'phone' });
      // The end of the form on a phone, above the tab bar: both buttons in reach.
      await page.getByRole('button', { name: 'Send to my care team' }).scrollIntoViewIfNeeded();
      await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 1e6));
      await screenshot(page, 'portal-forms-fill-end-phone');
      for (let i = 4; i < 9; i++) await answer(page, i + 1, ANSWERS[i]!);
      await page.getByText('9 of 9 answered').waitFor();
      await page.getByRole('button', { name: 'Send to my care team' }).click();
      await page.getByRole('status').filter({ hasText: 'Sent. Thank you.' }).waitFor();
      await expectAccessible(page, 'a form sent');
      await screenshot(page, 'portal-forms-sent-phone');

      await page.getByRole('link', { name: 'Back to forms' }).click();
      const sent = page.getByRole('region', { name: 'Sent to your care team' });
      await sent.getByText('PHQ-9').waitFor();
      await page.getByRole('region', { name: 'To fill in' }).getByRole('link', { name: 'Continue Before your visit' }).waitFor();
      await checkAtSizes(page, 'portal-forms-done', 'Forms, all sent', { leaveAt: 'phone' });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the physician sees the answers in the chart, entered by the patient, with the score', async () => {
    const { context, page, problems } = await newPage(demo.browser);
    try {
      await signIn(page, demo.server.origin, demo.server.account('physician'));
      await page.goto(`${demo.server.origin}/patients/${patientId}/screening`);
      await page.getByRole('radiogroup', { name: 'Questionnaire' }).locator('label', { hasText: 'PHQ-9' }).click();
      const latest = page.getByText(/Latest: 11/);
      await latest.waitFor();
      expect(await latest.textContent()).toMatch(/Moderate depression.*Entered by the patient/);
      await screenshot(page, 'screening-patient-score');
      const panel = page.getByRole('region', { name: 'Forms for the patient to fill in' });
      const row = panel.getByRole('listitem').filter({ hasText: 'PHQ-9' });
      await row.getByText('Filled in').waitFor();
      expect(await row.textContent()).toMatch(/Entered by the patient.*Score\s*11\s*Moderate depression/s);
      await row.getByText(/Positive answer to item 9/).waitFor();
      await row.getByText('Answers', { exact: true }).click();
      await row.getByText('Little interest or pleasure in doing things').waitFor();
      await expectAccessible(page, 'the chart, the patient’s answers');
      // It reached the physician's inbox too, urgent for the flagged answer.
      const inboxRow = page.getByRole('list', { name: /Inbox items/ }).getByRole('listitem').filter({ hasText: 'Review PHQ-9 answers from the patient' });
      // The panel's heading below the chart's sticky header.
      await panel.scrollIntoViewIfNeeded();
      await page.evaluate(() => (globalThis as unknown as { scrollBy(x: number, y: number): void }).scrollBy(0, -200));
      await screenshot(page, 'screening-patient-form');
      await page.getByRole('link', { name: /^Inbox/ }).click();
      await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
      await inboxRow.waitFor();
      expect(await inboxRow.textContent()).toMatch(/Urgent.*Positive answer to item 9/s);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

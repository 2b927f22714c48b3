/**
 * The portal's Messages with the clinician's inbox, in two browser contexts (docs/portal.md#messages):
 * the demo patient, on a phone (375×812), writes to the care team with a picture attached (a file
 * outside the practice's limits is refused before upload); the physician, in a separate context,
 * sees the message in the inbox, opens it with its thread and picture and replies; the reply
 * appears in the patient's open conversation without a reload (the patient's own Subscription over
 * the websocket). The patient's answer that fails to send keeps what they typed. axe and
 * screenshots at 375×812 and 1366×768 on every screen.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAtSizes, expectAccessible, newPage, PHONE, screenshot, signIn, useDemoServer } from './browser-fixture.ts';
import { checkerPng } from './document-files.ts';

const SUBJECT = 'Rash on my arm';
/** The photo the patient attaches (a 160×100 picture). */
const PHOTO = checkerPng();
/** Live means within this (the inbox's budget, UX-12, with room for a phone's slower page). */
const LIVE_MS = 5000;

describe('portal: messages with the care team, live', () => {
  const demo = useDemoServer();
  const contexts: BrowserContext[] = [];
  let patient: Page;
  let doctor: Page;
  const afterChecks: Array<() => void> = [];

  beforeAll(async () => {
    for (const role of ['patient', 'physician'] as const) {
      const opened = await newPage(demo.browser);
      contexts.push(opened.context);
      if (role === 'patient') await opened.page.setViewportSize(PHONE);
      await signIn(opened.page, demo.server.origin, demo.server.account(role), role === 'patient' ? { path: '/portal/messages' } : {});
      if (role === 'patient') patient = opened.page;
      else doctor = opened.page;
      afterChecks.push(() => expect(opened.problems, `${role}'s page`).toEqual([]));
    }
  }, 300_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
  });

  const markNoReload = (page: Page) => page.evaluate('window.__heronNoReload = true');
  const notReloaded = (page: Page) => page.evaluate('window.__heronNoReload === true');

  it('shows the patient an empty list with the way to write, under the Messages tab', async () => {
    await patient.getByRole('heading', { name: 'Messages', level: 1 }).waitFor();
    await patient.getByText('No messages yet').waitFor();
    expect(await patient.getByRole('navigation', { name: 'Portal sections' }).getByRole('link').allTextContents()).toEqual(expect.arrayContaining(['My health', 'Messages']));
    expect(await patient.getByRole('link', { name: 'Messages' }).getAttribute('aria-current')).toBe('page');
    await checkAtSizes(patient, 'portal-messages-empty', 'empty', { leaveAt: 'phone' });
  });

  it('writes to the care team with a photo; a file the practice does not take is refused before upload', async () => {
    await patient.getByRole('link', { name: 'New message' }).click();
    await patient.getByRole('heading', { name: 'New message', level: 1 }).waitFor();
    await patient.getByRole('textbox', { name: 'Subject' }).fill(SUBJECT);
    await patient.getByRole('textbox', { name: 'Message' }).fill('The rash on my left arm is back since Monday. It itches at night. Photo attached.');
    const input = patient.locator('input[type=file]');
    // The demo practice takes PDF, JPEG and PNG (the default): a text file is refused by name.
    await input.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('itchy since Monday') });
    await patient.getByRole('alert').filter({ hasText: '“notes.txt” cannot be sent' }).waitFor();
    await input.setInputFiles({ name: 'arm.png', mimeType: 'image/png', buffer: PHOTO });
    await patient.getByRole('list', { name: 'Files to send' }).getByText('arm.png').waitFor();
    await checkAtSizes(patient, 'portal-messages-new', 'new', { leaveAt: 'phone' });
    await patient.getByRole('button', { name: 'Send message' }).click();
    await patient.getByRole('heading', { name: SUBJECT, level: 1 }).waitFor();
    await patient.getByRole('button', { name: 'Show arm.png' }).waitFor();
    await markNoReload(patient);
  });

  it('reaches the physician’s inbox, who opens it with its thread and photo and replies', async () => {
    await doctor.getByRole('link', { name: /^Inbox/ }).click();
    await doctor.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    const row = doctor.getByRole('listitem').filter({ hasText: SUBJECT });
    await row.waitFor();
    await row.getByRole('button', { name: /^Reply:/ }).click();
    const dialog = doctor.getByRole('dialog');
    await dialog.getByText('The rash on my left arm is back').waitFor();
    await dialog.getByRole('button', { name: 'Show arm.png' }).click();
    await dialog.getByRole('img', { name: 'arm.png' }).waitFor();
    await dialog.getByRole('textbox', { name: 'Your answer' }).fill('Thank you. Please use the cream twice a day, and book a visit if it is not better by Friday.');
    await expectAccessible(doctor, 'the reply dialog with the thread');
    await screenshot(doctor, 'portal-messages-inbox-reply');
    await dialog.getByRole('button', { name: 'Send and mark done' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('shows the patient the reply in the open conversation without a reload', async () => {
    await patient.getByText('Please use the cream twice a day').waitFor({ timeout: LIVE_MS });
    expect(await notReloaded(patient)).toBe(true);
    await checkAtSizes(patient, 'portal-messages-thread', 'thread', { leaveAt: 'phone' });
    // On a phone the answer box is at the end of the page, above the tab bar.
    await patient.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void; document: { body: { scrollHeight: number } } }).scrollTo(0, (globalThis as unknown as { document: { body: { scrollHeight: number } } }).document.body.scrollHeight));
    await screenshot(patient, 'portal-messages-thread-phone-end');
  });

  it('keeps the patient’s answer when sending fails, and sends it on the next try', async () => {
    const answer = 'Thank you, I will. Is it fine to shower as usual?';
    await patient.getByRole('textbox', { name: 'Your reply' }).fill(answer);
    await patient.route('**/fhir/R4/Communication', (route) => (route.request().method() === 'POST' ? route.fulfill({ status: 503, contentType: 'application/fhir+json', body: JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient', diagnostics: 'Try again' }] }) }) : route.continue()));
    await patient.getByRole('button', { name: 'Send reply' }).click();
    await patient.getByText('Your message was not sent').waitFor();
    expect(await patient.getByRole('textbox', { name: 'Your reply' }).inputValue()).toBe(answer);
    await patient.unroute('**/fhir/R4/Communication');
    await patient.getByRole('button', { name: 'Send reply' }).click();
    await patient.getByRole('status').filter({ hasText: 'Sent.' }).waitFor();
    await patient.getByRole('list', { name: 'Messages in this conversation' }).getByText(answer).waitFor();
    expect(await patient.getByRole('textbox', { name: 'Your reply' }).inputValue()).toBe('');
    // The answer waits in the physician's inbox, in the same thread.
    await doctor.getByRole('listitem').filter({ hasText: SUBJECT }).waitFor({ timeout: LIVE_MS });
  });

  it('lists the conversation with its last message, marked when a new reply arrives live', async () => {
    await patient.getByRole('link', { name: '← All messages' }).click();
    const thread = patient.getByRole('list', { name: 'Conversations' }).getByRole('listitem').filter({ hasText: SUBJECT });
    await thread.waitFor();
    expect(await thread.textContent()).toContain('You: Thank you, I will.');
    expect(await thread.textContent()).not.toContain('New reply');
    // The physician answers again while the patient looks at the list.
    const row = doctor.getByRole('listitem').filter({ hasText: SUBJECT });
    await row.getByRole('button', { name: /^Reply:/ }).click();
    const dialog = doctor.getByRole('dialog');
    await dialog.getByText('Is it fine to shower as usual?').waitFor();
    await dialog.getByRole('textbox', { name: 'Your answer' }).fill('Yes, showering is fine. Pat the skin dry.');
    await dialog.getByRole('button', { name: 'Send and mark done' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await thread.getByText('New reply').waitFor({ timeout: LIVE_MS });
    expect(await thread.textContent()).toContain('Yes, showering is fine.');
    expect(await notReloaded(patient)).toBe(true);
    await checkAtSizes(patient, 'portal-messages-list', 'list', { leaveAt: 'phone' });
    for (const check of afterChecks) check();
  });
});

/**
 * Portal activation in a real browser: the front desk invites a new patient from their chart's
 * header and gets the one-time link, shown once; the patient opens it on a phone (375×812),
 * enters their date of birth (wrong once: refused, with the tries left; then right), sets a
 * password, and signs in to land on the portal. Screenshots of every step, axe on each.
 */
import { describe, expect, it } from 'vitest';
import { expectAccessible, newPage, PHONE, requestAsPage, screenshot, signIn, useDemoServer } from './browser-fixture.ts';

const PASSWORD = 'Copper-Meadow-Lantern-58';
const EMAIL = 'maria.rivera@example.org';

describe('portal activation: invited from the chart, accepted with the date of birth', () => {
  const demo = useDemoServer();
  let link = '';

  it('the front desk invites a patient from the chart and gets the link once', async () => {
    const { context, page } = await newPage(demo.browser);
    await signIn(page, demo.server.origin, demo.server.account('front-desk'));
    const created = await requestAsPage(page, 'POST', '/fhir/R4/Patient', {
      resourceType: 'Patient',
      name: [{ family: 'Rivera', given: ['Maria'] }],
      gender: 'female',
      birthDate: '1985-03-27',
      telecom: [{ system: 'email', value: EMAIL }],
    });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    await page.goto(`${demo.server.origin}/patients/${id}`);
    await page.getByRole('button', { name: 'Invite to portal' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite to the portal' });
    await expect(dialog.getByLabel('E-mail address').inputValue()).resolves.toBe(EMAIL);
    await expectAccessible(page, 'the invitation dialog');
    await screenshot(page, 'portal-activation-invite-dialog');
    await dialog.getByRole('button', { name: 'Create invitation' }).click();
    const ready = page.getByRole('dialog', { name: 'Invitation ready' });
    await ready.getByText('The link was e-mailed').or(ready.getByText('The link was not e-mailed')).waitFor();
    link = await ready.getByLabel('One-time link').inputValue();
    expect(link).toMatch(new RegExp(`^${demo.server.origin}/auth/set-password\\?token=`));
    await expectAccessible(page, 'the invitation, ready');
    await screenshot(page, 'portal-activation-invite-ready');
    await ready.getByRole('button', { name: 'Done' }).click();
    await context.close();
  });

  it('the patient opens the link on a phone, confirms their date of birth (wrong once), sets a password and lands on the portal', async () => {
    expect(link).not.toBe('');
    const { context, page } = await newPage(demo.browser);
    await page.setViewportSize(PHONE);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Confirm who you are' }).waitFor();
    await expectAccessible(page, 'the date-of-birth step');
    await screenshot(page, 'portal-activation-birth-date-phone', { fullPage: true });

    const enter = async (day: string, month: string, year: string) => {
      await page.getByLabel('Day').fill(day);
      await page.getByLabel('Month').fill(month);
      await page.getByLabel('Year').fill(year);
      await page.getByRole('button', { name: 'Continue' }).click();
    };
    await enter('27', '3', '1958');
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/does not match .* 4 tries left/);
    // What was typed stays, to correct.
    await expect(page.getByLabel('Year').inputValue()).resolves.toBe('1958');
    await expectAccessible(page, 'a wrong date of birth');
    await screenshot(page, 'portal-activation-birth-date-wrong-phone', { fullPage: true });

    await enter('27', '3', '1985');
    await page.getByRole('heading', { name: 'Set your password' }).waitFor();
    await expectAccessible(page, 'the password step');
    await screenshot(page, 'portal-activation-password-phone', { fullPage: true });
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByLabel('Again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('heading', { name: 'Password set' }).waitFor();
    await expectAccessible(page, 'the password set');
    await screenshot(page, 'portal-activation-done-phone', { fullPage: true });

    await page.getByRole('link', { name: 'Sign in to the portal' }).click();
    await signIn(page, demo.server.origin, { role: 'patient', email: EMAIL, password: PASSWORD });
    await page.waitForURL((url) => url.pathname.startsWith('/portal'));
    await page.getByRole('heading', { name: 'My health', level: 1 }).waitFor();
    await expectAccessible(page, 'the portal after activation');
    await screenshot(page, 'portal-activation-portal-phone', { fullPage: true });
    await context.close();
  });
});

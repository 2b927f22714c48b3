/**
 * People and Apps as the practice administrator (issue 12): invite a nurse, who signs in from the
 * invitation link in a browser of their own; change their role and see their session end and come
 * back with the front desk's access; disable them and see their next request fail to the sign-in
 * page; register a backend service (its secret shown once, server refusals at their fields),
 * disable it and see the token endpoint refuse it. Screenshots of each state at 1366×768, axe on
 * each; other roles are turned away from the screens and the new admin calls.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoServer, expectAccessible, launchBrowser, newPage, screenshot, signIn, signInOnHeronPage } from './browser-fixture.ts';
import { adminApi, api } from './lists-fixture.ts';

const NURSE = { role: 'nurse', email: 'new.nurse@heron-demo.example', password: 'Copper-Meadow-Lantern-58' };

/** A react-aria Select: open it by its label, then choose the option. */
async function choose(page: Page, label: string, option: string): Promise<void> {
  await page.getByRole('button', { name: new RegExp(`${label}$`) }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

describe('people and apps', () => {
  let server: DemoServer;
  let browser: Browser;
  let admin: { context: BrowserContext; page: Page; problems: string[] };
  let nurse: { context: BrowserContext; page: Page; problems: string[] };
  let invitationLink = '';

  beforeAll(async () => {
    [server, browser] = await Promise.all([DemoServer.start(), launchBrowser()]);
    admin = await newPage(browser);
    nurse = await newPage(browser);
    await signIn(admin.page, server.origin, server.account('practice-admin'));
  }, 300_000);
  afterAll(async () => {
    await admin?.context.close();
    await nurse?.context.close();
    await browser?.close();
    await server?.close();
  });

  it('lists the accounts with role, status, last sign-in and second factor, filtered by role', async () => {
    const { page } = admin;
    await page.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name: 'People' }).click();
    await page.getByRole('heading', { name: 'People', level: 1 }).waitFor();
    const table = page.getByRole('grid', { name: 'Accounts' });
    await table.getByRole('rowheader', { name: 'admin@heron-demo.example' }).waitFor();
    expect(await table.getByRole('columnheader').allTextContents()).toEqual(['Account', 'Role', 'Status', 'Last sign-in', 'Second factor']);
    // The administrator's own sign-in just now is their last.
    expect(await table.getByRole('row').filter({ hasText: /admin@heron-demo\.example/ }).textContent()).toMatch(/Practice administratorActive\w{3} \d+, \d{4}, \d{1,2}:\d{2}.*Not set up/);
    await expectAccessible(page, 'the people list');
    await screenshot(page, 'admin-people-list');

    await choose(page, 'Role', 'Nurse');
    await table.getByRole('rowheader', { name: 'nurse@heron-demo.example' }).waitFor();
    expect(await table.getByRole('rowheader').allTextContents()).toEqual(['nurse@heron-demo.example']);
    await screenshot(page, 'admin-people-filtered');
    await choose(page, 'Role', 'All roles');
    await table.getByRole('rowheader', { name: 'admin@heron-demo.example' }).waitFor();
    expect(admin.problems).toEqual([]);
  });

  it('invites a nurse linked to a Practitioner, showing the one-time link once; the nurse signs in from it', async () => {
    const { page } = admin;
    await page.getByRole('button', { name: 'Invite a person' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite a person' });
    await dialog.getByLabel('Email').fill('not an address');
    await dialog.getByRole('combobox', { name: 'Practitioner record' }).fill('Okafor');
    await dialog.getByRole('option', { name: /^Okafor, Sam/ }).first().waitFor();
    await expectAccessible(page, 'the invitation’s practitioner search');
    await screenshot(page, 'admin-people-invite-picker');
    await dialog.getByRole('option', { name: /^Okafor, Sam/ }).first().click();
    await dialog.getByText(/Signs in as: Okafor, Sam/).waitFor();
    await dialog.getByRole('button', { name: 'Invite', exact: true }).click();
    // The server's refusal, at the field it names; nothing typed is lost.
    await dialog.getByText('"not an address" is not an email address').waitFor();
    expect(await dialog.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'the invitation refused at the email field');
    await screenshot(page, 'admin-people-invite-error');

    await dialog.getByLabel('Email').fill(NURSE.email);
    await dialog.getByRole('button', { name: 'Invite', exact: true }).click();
    const ready = page.getByRole('dialog', { name: 'Invitation ready' });
    await ready.getByText('You will not see this again.').waitFor();
    invitationLink = await ready.getByLabel('Invitation link').inputValue();
    expect(invitationLink).toMatch(new RegExp(`^${server.origin}/auth/set-password\\?token=`));
    await expectAccessible(page, 'the invitation link shown once');
    await screenshot(page, 'admin-people-invitation');
    await ready.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('grid', { name: 'Accounts' }).getByRole('row').filter({ hasText: /new\.nurse@heron-demo\.example.*Invited.*Not yet \(invited\)/ }).waitFor();
    // The overview counts the invitation waiting, and opens the list filtered to invitations.
    const tabs = page.getByRole('navigation', { name: 'Administration sections' });
    await tabs.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('region', { name: 'Invitations waiting' }).getByText('1 person has not accepted their invitation yet.').waitFor();
    await screenshot(page, 'admin-overview-invitations');
    await page.getByRole('link', { name: 'See invitations' }).click();
    await page.getByRole('grid', { name: 'Accounts' }).getByRole('rowheader', { name: NURSE.email }).waitFor();
    expect(await page.getByRole('grid', { name: 'Accounts' }).getByRole('rowheader').allTextContents()).toEqual([NURSE.email]);
    await tabs.getByRole('link', { name: 'People' }).click();
    await page.getByRole('grid', { name: 'Accounts' }).getByRole('rowheader', { name: 'admin@heron-demo.example' }).waitFor();

    // The nurse, in a browser of their own: the link sets the password, then they sign in.
    await nurse.page.goto(invitationLink);
    await nurse.page.getByLabel('New password').fill(NURSE.password);
    await nurse.page.getByLabel('Again').fill(NURSE.password);
    await nurse.page.getByRole('button', { name: 'Set password' }).click();
    await nurse.page.getByText('Your password is set.').waitFor();
    await signIn(nurse.page, server.origin, NURSE);
    await nurse.page.getByRole('heading', { name: 'Rooming', level: 1 }).waitFor();
    expect((await api(nurse.page, 'GET', 'Observation?_count=1')).status).toBe(200);
    await screenshot(nurse.page, 'admin-people-invited-nurse-home');
    expect(nurse.problems).toEqual([]);
  });

  it('changes the nurse’s role to front desk: their session ends at once and comes back with the front desk’s access', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: NURSE.email }).click();
    await page.getByRole('heading', { name: NURSE.email, level: 1 }).waitFor();
    const history = page.getByRole('grid', { name: 'Changes to this account' });
    await history.getByRole('row').filter({ hasText: /Account created as nurse, invited.*admin@heron-demo\.example/ }).waitFor();
    expect(await page.getByRole('region', { name: 'Account', exact: true }).textContent()).toMatch(/Linked recordPractitioner\/.*Second factorNot set up.*Last sign-in\w+/);
    expect(await page.getByRole('link', { name: 'People', exact: true }).getAttribute('aria-current')).toBe('page');
    await expectAccessible(page, 'a person’s account');
    await screenshot(page, 'admin-person');

    await choose(page, 'Role', 'Front desk');
    await page.getByRole('button', { name: 'Change role' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Change their role?' });
    await confirm.getByText('Every session they have ends now').waitFor();
    await expectAccessible(page, 'the role change confirmation');
    await screenshot(page, 'admin-person-role-confirm');
    await confirm.getByRole('button', { name: 'Change role' }).click();
    await page.getByRole('status').getByText('The role is now front desk.').waitFor();
    await history.getByRole('row').filter({ hasText: /Role changed: Nurse → Front desk.*admin@heron-demo\.example/ }).waitFor();
    await screenshot(page, 'admin-person-role-changed');

    // The nurse's next request is refused: the app ends the session and says why.
    await nurse.page.getByRole('banner').getByRole('link', { name: 'Schedule' }).click();
    await nurse.page.getByText('Your session has ended.').waitFor();
    await screenshot(nurse.page, 'admin-people-nurse-session-ended');
    await nurse.context.clearCookies();
    await signIn(nurse.page, server.origin, NURSE);
    await nurse.page.goto(`${server.origin}/`);
    await nurse.page.getByRole('heading', { name: 'Front desk', level: 1 }).waitFor();
    expect((await api(nurse.page, 'GET', 'Observation?_count=1')).status).toBe(403);
    expect((await api(nurse.page, 'GET', 'Patient?_count=1')).status).toBe(200);
    await screenshot(nurse.page, 'admin-people-nurse-now-front-desk');
    expect(nurse.problems).toEqual([]);
  });

  it('disables the account: the person’s next request fails to the sign-in page, and they cannot sign in', async () => {
    const { page } = admin;
    await page.getByRole('button', { name: 'Disable account' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Disable this account?' });
    await expectAccessible(page, 'the disable confirmation');
    await screenshot(page, 'admin-person-disable-confirm');
    await confirm.getByRole('button', { name: 'Disable account' }).click();
    await page.getByRole('status').getByText('The account is disabled and its sessions have ended.').waitFor();
    await page.getByRole('button', { name: 'Enable account' }).waitFor();
    await page.getByRole('grid', { name: 'Changes to this account' }).getByRole('row').filter({ hasText: /Disabled.*admin@heron-demo\.example/ }).waitFor();
    await expectAccessible(page, 'a disabled account');
    await screenshot(page, 'admin-person-disabled');

    await nurse.page.getByRole('banner').getByRole('link', { name: 'Schedule' }).click();
    await nurse.page.getByText('Your session has ended.').waitFor();
    await nurse.context.clearCookies();
    await nurse.page.getByRole('button', { name: 'Sign in' }).click();
    await signInOnHeronPage(nurse.page, NURSE);
    await nurse.page.getByText('Sign-in failed.').waitFor();
    expect(nurse.problems).toEqual([]);
  });

  it('registers a backend service, its secret shown once, after showing the server’s refusals at their fields; disabling it ends its access', async () => {
    const { page } = admin;
    await page.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name: 'Apps' }).click();
    await page.getByRole('heading', { name: 'Apps', level: 1 }).waitFor();
    await page.locator('.h-panel').first().waitFor();
    const own = page.getByRole('region', { name: 'Heron', exact: true });
    await own.getByText('You are signed in through this app').waitFor();
    expect(await own.getByRole('button', { name: /Disable/ }).count()).toBe(0);
    await expectAccessible(page, 'the apps list');
    await screenshot(page, 'admin-apps');

    await page.getByRole('button', { name: 'Register an app' }).click();
    const dialog = page.getByRole('dialog', { name: 'Register an app' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Lab results feed');
    await dialog.getByRole('textbox', { name: 'Redirect URIs' }).fill('http://lab.example.org/callback');
    await dialog.getByRole('textbox', { name: 'Scopes' }).fill('openid patient/*.frobnicate');
    // The server checks the scopes first, then the redirect URIs: each refusal appears at its field.
    const invalid = (name: string) => dialog.getByRole('textbox', { name }).and(page.locator('[aria-invalid="true"]'));
    await dialog.getByRole('button', { name: 'Register' }).click();
    await invalid('Scopes').waitFor();
    await dialog.getByText(/frobnicate/).waitFor();
    await dialog.getByRole('textbox', { name: 'Scopes' }).fill('openid patient/*.rs');
    await dialog.getByRole('button', { name: 'Register' }).click();
    await invalid('Redirect URIs').waitFor();
    expect(await invalid('Scopes').count()).toBe(0);
    expect(await dialog.getByRole('textbox', { name: 'Name' }).getAttribute('aria-invalid')).toBeNull();
    await expectAccessible(page, 'the registration refused at its fields');
    await screenshot(page, 'admin-apps-register-errors');

    await dialog.locator('label').filter({ hasText: 'Backend service' }).click();
    expect(await dialog.getByRole('radio', { name: /Backend service/ }).isChecked()).toBe(true);
    await dialog.getByRole('textbox', { name: 'Scopes' }).fill('system/Patient.rs');
    await dialog.getByRole('button', { name: 'Register' }).click();
    const done = page.getByRole('dialog', { name: 'Lab results feed is registered' });
    await done.getByText('You will not see this again.').waitFor();
    const clientId = await done.getByLabel('Client id').inputValue();
    const clientSecret = await done.getByLabel('Client secret').inputValue();
    expect(clientSecret.length).toBeGreaterThan(30);
    await expectAccessible(page, 'the client secret shown once');
    await screenshot(page, 'admin-apps-secret');
    await done.getByRole('button', { name: 'Done' }).click();

    const token = () => fetch(`${server.origin}/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }) });
    expect((await token()).status).toBe(200);
    await page.reload();
    const card = page.getByRole('region', { name: 'Lab results feed' });
    await card.getByText('Backend service').waitFor();
    expect(await card.textContent()).toMatch(/Confidential: client secret.*system\/Patient\.rs.*Last used\w+/);
    await screenshot(page, 'admin-apps-registered');

    await card.getByRole('button', { name: 'Disable Lab results feed' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Disable Lab results feed?' });
    await confirm.getByText('This cannot be undone').waitFor();
    await expectAccessible(page, 'the app disable confirmation');
    await screenshot(page, 'admin-apps-disable-confirm');
    await confirm.getByRole('button', { name: 'Disable service' }).click();
    await card.getByText('Disabled', { exact: true }).first().waitFor();
    await screenshot(page, 'admin-apps-disabled');
    const refused = await token();
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toBe('invalid_client');
    expect(admin.problems).toEqual([]);
  });

  it('other roles are turned away from People and Apps, and from the new admin calls', async () => {
    const { context, page, problems } = await newPage(browser);
    try {
      await signIn(page, server.origin, server.account('physician'));
      await page.goto(`${server.origin}/administration/people`);
      await page.getByText('This area is for practice administrators.').waitFor();
      const users = await adminApi<{ users: { id: string }[] }>(admin.page, 'GET', '/users?role=nurse');
      const someone = users.body.users[0].id;
      expect((await adminApi(page, 'POST', `/users/${someone}/role`, { role: 'physician' })).status).toBe(403);
      expect((await adminApi(page, 'POST', `/users/${someone}/mfa-reset`)).status).toBe(403);
      await expectAccessible(page, 'People refused to a physician');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

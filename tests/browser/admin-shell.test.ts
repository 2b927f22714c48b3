/**
 * The administration area's frame: a practice administrator lands on it after sign-in with a token
 * the admin API accepts (the first-party app asks for `heron/admin`), and moves between its areas
 * by the section tabs; a physician signed in to the same app gets no admin token and the area says
 * it is not theirs. Screenshots at 1366×768, axe on each.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoServer, expectAccessible, launchBrowser, newPage, screenshot, signIn } from './browser-fixture.ts';
import { adminApi } from './lists-fixture.ts';

/** The admin API's answer to this page's token (status only). */
const adminStatus = async (page: import('playwright-core').Page, path: string) => (await adminApi(page, 'GET', path)).status;

describe('administration frame', () => {
  let server: DemoServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([DemoServer.start(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a practice administrator lands on the administration, with a token the admin API accepts', async () => {
    const { context, page, problems } = await newPage(browser);
    try {
      await signIn(page, server.origin, server.account('practice-admin'));
      await page.getByRole('heading', { name: 'Practice administration', level: 1 }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/administration');
      const tabs = page.getByRole('navigation', { name: 'Administration sections' });
      expect(await tabs.getByRole('link').allTextContents()).toEqual(['Overview', 'People', 'Apps', 'Audit trail', 'Emergency access', 'Restricted records', 'Practice settings']);
      expect(await tabs.getByRole('link', { name: 'Overview' }).getAttribute('aria-current')).toBe('page');
      expect(await adminStatus(page, '/users?_count=1')).toBe(200);
      await expectAccessible(page, 'the administration overview');
      await screenshot(page, 'admin-overview');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a physician gets no admin token, and the area says it is for administrators', async () => {
    const { context, page, problems } = await newPage(browser);
    try {
      await signIn(page, server.origin, server.account('physician'));
      expect(await adminStatus(page, '/users?_count=1')).toBe(403);
      await page.goto(`${server.origin}/administration`);
      await page.getByText('This area is for practice administrators.').waitFor();
      expect(await page.getByRole('navigation', { name: 'Administration sections' }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Administration' }).count()).toBe(0);
      await expectAccessible(page, 'the administration refused to a physician');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

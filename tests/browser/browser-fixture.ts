/**
 * Browser tests against the real thing: `heron serve --demo` (SQLite, the sample patients, the
 * demo accounts) as a child process, and Debian's Chromium driven by playwright-core. One server
 * and one browser per test file; a fresh browser context (no cookies, no storage) per sign-in.
 */
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { ensureWebBuilt } from '../../src/cli/web-build.ts';
import { createStoreLocation, destroyStoreLocation, freePort, REPO_ROOT, runHeron, ServeProcess, sleep, type StoreLocation } from '../fixtures/heron-server.ts';
import { launchBrowser, VIEWPORT, type Account } from './browser-session.ts';

export { allowOnConsentPage, CHROMIUM, launchBrowser, newPage, signIn, signInOnHeronPage, VIEWPORT, type Account } from './browser-session.ts';

/** The two sizes every portal screen is checked at (docs/web.md): a phone's and a laptop's (the pages' default). */
export const PHONE = { width: 375, height: 812 };
export const LAPTOP = VIEWPORT;

export const SCREENSHOT_DIR = join(REPO_ROOT, 'tests/browser/screenshots');
const DEMO_PRACTICE = 'Demo Practice';

/**
 * Builds web/dist when stale, once across parallel test files: a lock directory (mkdir is atomic)
 * makes the others wait for the one that builds.
 */
export async function buildWebOnce(): Promise<void> {
  const lock = join(REPO_ROOT, 'web/.build-lock');
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than 5 minutes was left by a killed run.
      const info = await stat(lock).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > 300_000) await rm(lock, { recursive: true, force: true });
      await sleep(500);
    }
  }
  try {
    await ensureWebBuilt(() => undefined, { quiet: true });
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** `heron serve --demo` on a new SQLite store, with its demo accounts. */
export class DemoServer {
  private constructor(
    readonly loc: StoreLocation,
    readonly serve: ServeProcess,
    readonly accounts: Account[],
  ) {}

  get origin(): string {
    return this.serve.origin;
  }

  static async start(): Promise<DemoServer> {
    await buildWebOnce();
    const loc = await createStoreLocation('sqlite');
    const serve = new ServeProcess(loc, await freePort(), ['--demo']);
    try {
      await serve.start(240_000);
      return new DemoServer(loc, serve, await demoAccounts(loc));
    } catch (error) {
      await serve.stop();
      await destroyStoreLocation(loc);
      throw error;
    }
  }

  account(role: string): Account {
    const account = this.accounts.find((a) => a.role === role);
    if (!account) throw new Error(`No demo account with role ${role}`);
    return account;
  }

  async close(): Promise<void> {
    try {
      await this.serve.stop();
    } finally {
      await destroyStoreLocation(this.loc);
    }
  }
}

/**
 * One demo server and one browser for the tests of the `describe` this is called in (its
 * beforeAll and afterAll). Read `server` and `browser` in tests and in hooks registered after
 * this call: vitest runs beforeAll hooks in order and afterAll hooks in reverse, so the file's own
 * afterAll (closing its contexts) runs before these close.
 */
export function useDemoServer(): { readonly server: DemoServer; readonly browser: Browser } {
  let server: DemoServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [server, browser] = await Promise.all([DemoServer.start(), launchBrowser()]);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  const notYet = (what: string) => new Error(`The ${what} is not started yet: use it in a test or a later hook, not while registering them`);
  return {
    get server() {
      if (!server) throw notYet('demo server');
      return server;
    },
    get browser() {
      if (!browser) throw notYet('browser');
      return browser;
    },
  };
}

/** The accounts `--demo` saved beside its client credentials; created here through the CLI when that file has none. */
async function demoAccounts(loc: StoreLocation): Promise<Account[]> {
  const saved = JSON.parse(await readFile(join(loc.dataDir, 'demo-credentials.json'), 'utf8')) as { accounts?: Account[] };
  if (saved.accounts && saved.accounts.length > 0) return saved.accounts;
  const accounts: Account[] = [];
  for (const role of ['physician', 'nurse', 'front-desk']) {
    const account = { role, email: `${role}@demo.heron.example`, password: `browser test ${role} kestrel lantern` };
    const result = await runHeron(loc, ['user', 'create', '--practice', DEMO_PRACTICE, '--role', role, '--email', account.email, '--password', account.password]);
    if (result.code !== 0) throw new Error(`heron user create exited ${result.code}: ${result.stderr}`);
    accounts.push(account);
  }
  return accounts;
}

/** A rule left out of one check, with the reason (the type makes a reason necessary). */
export interface AxeException {
  rule: string;
  because: string;
}

/** axe-core with the WCAG 2.2 AA rule set: no violations, listed readably when there are. */
export async function expectAccessible(page: Page, what: string, exceptions: AxeException[] = []): Promise<void> {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']);
  if (exceptions.length > 0) builder = builder.disableRules(exceptions.map((e) => e.rule));
  const results = await builder.analyze();
  const violations = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`);
  expect(violations, `axe on ${what}`).toEqual([]);
}

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: options.fullPage ?? false });
}

export interface SizesOptions {
  /** The whole page (the default), or only the viewport: for a dialog, not the page under it. */
  fullPage?: boolean;
  /** Wait for the page's banner after each resize (the top bar is drawn anew between phone and laptop). */
  banner?: boolean;
  /** The size the page is left at (the default: the laptop's, the last one checked). */
  leaveAt?: 'phone' | 'laptop';
}

/**
 * The screen at a phone's size and at a laptop's: axe on each (named `what (phone)`, `what
 * (laptop)`) and a screenshot of each (`name-phone.png`, `name-laptop.png`). From the top, so a
 * sticky top bar is drawn where it belongs in a full-page picture.
 */
export async function checkAtSizes(page: Page, name: string, what: string, options: SizesOptions = {}): Promise<void> {
  for (const [size, viewport] of [['phone', PHONE], ['laptop', LAPTOP]] as const) {
    await page.setViewportSize(viewport);
    if (options.banner) await page.getByRole('banner').waitFor();
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await expectAccessible(page, `${what} (${size})`);
    await screenshot(page, `${name}-${size}`, { fullPage: options.fullPage ?? true });
  }
  if (options.leaveAt === 'phone') await page.setViewportSize(PHONE);
}

/**
 * A request with the signed-in page's own access token (`path` from the server root, e.g.
 * `/fhir/R4/Patient/1/$break-the-glass`): what the user's app could send, for steps the app has no
 * screen for. Answers the status and the parsed JSON body (undefined when there is none).
 */
export async function requestAsPage(page: Page, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const page = globalThis as unknown as { sessionStorage: { getItem(key: string): string | null }; location: { origin: string } };
      const stored = JSON.parse(page.sessionStorage.getItem('heron.session') ?? '{}') as { tokens?: { accessToken?: string } };
      const headers: Record<string, string> = { authorization: `Bearer ${stored.tokens?.accessToken ?? ''}`, accept: 'application/fhir+json' };
      if (body !== undefined) headers['content-type'] = 'application/fhir+json';
      const response = await fetch(`${page.location.origin}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await response.text();
      return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
    },
    { method, path, body },
  );
}

/**
 * Chromium for the browser tests and the browser benchmark, without Vitest (the benchmark runs
 * outside it): Debian's Chromium through playwright-core, pages at 1366×768 that collect CSP
 * violations and page errors, and signing in through Heron's own sign-in and consent pages.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const VIEWPORT = { width: 1366, height: 768 };
export const CHROMIUM = process.env.HERON_CHROMIUM ?? '/usr/bin/chromium';

/** A person to sign in as. */
export interface Account {
  role: string;
  email: string;
  password: string;
  name?: string;
  /** Who the account is in FHIR (`Patient/…`, `RelatedPerson/…`, `Practitioner/…`). */
  fhirUser?: string;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** A new context at 1366×768 whose page fails the test on any CSP violation or uncaught error. */
export async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  return { context, page, problems };
}

/**
 * Through Heron's own sign-in and consent pages, back to the app at `path` (a patient's is in the
 * portal). `record`: for a proxy acting for several patients, which one to open (the consent
 * page's "Whose record" choice, by position).
 */
export async function signIn(page: Page, origin: string, account: Account, options: { record?: number; path?: string } = {}): Promise<void> {
  await page.goto(`${origin}${options.path ?? '/'}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signInOnHeronPage(page, account);
  await allowOnConsentPage(page, options.record);
  await page.waitForURL((url) => url.origin === origin && !url.pathname.startsWith('/auth/') && !url.pathname.startsWith('/oauth2/'));
  await page.getByRole('banner').waitFor();
}

/** The consent page: the record to open when asked, then Allow. */
export async function allowOnConsentPage(page: Page, record?: number): Promise<void> {
  if (record !== undefined) await page.getByLabel('Whose record').selectOption({ index: record });
  await page.getByRole('button', { name: 'Allow' }).click();
}

export async function signInOnHeronPage(page: Page, account: Pick<Account, 'email' | 'password'>): Promise<void> {
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}


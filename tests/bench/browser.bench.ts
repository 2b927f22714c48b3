/**
 * The clinician app's speed in a real browser (`npm run bench`, or alone: `BENCH_ONLY=browser`):
 * a practice of 50,000 patients plus one with a long record (1,000 encounters, 20,000
 * observations) on SQLite, `heron serve` as a child process, Debian's Chromium through
 * playwright-core. Prints three figures against the targets of issue #10:
 *
 * - chart complete: from an in-app navigation to the long-record patient's chart until the
 *   banner shows them and no panel is still loading, in a fresh signed-in browser each time
 *   (nothing cached), target < 1,000 ms;
 * - search latency: from the input event that completes what is typed in "Find a patient" until
 *   a result for it is on screen (names, two words, name and birth date, MRN), target < 150 ms;
 * - first load: compressed JavaScript loaded before the home screen shows (`firstLoadSize` in
 *   src/cli/web-build.ts, as the build prints it), target < 300 KB.
 *
 * Environment: BENCH_BROWSER_PATIENTS (default 50000), BENCH_BROWSER_RUNS (chart navigations,
 * default 8), BENCH_ONLY.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { longRecordPatient } from '../../src/cli/demo/long-record-patient.ts';
import { ensureWebBuilt, FIRST_LOAD_BUDGET_BYTES, firstLoadSize } from '../../src/cli/web-build.ts';
import { createPractice } from '../../src/domain/practices/create-practice.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { extractIndexRows } from '../../src/fhir/search/extract.ts';
import { openStore } from '../../src/store/open-store.ts';
import { launchBrowser, newPage, signIn, type Account } from '../browser/browser-session.ts';
import { createStoreLocation, destroyStoreLocation, freePort, REPO_ROOT, ServeProcess } from '../fixtures/heron-server.ts';
import { synthetic, syntheticPatients, writeAll } from './synthetic-patients.ts';

const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const PATIENTS = Number(process.env.BENCH_BROWSER_PATIENTS ?? 50_000);
const RUNS = Number(process.env.BENCH_BROWSER_RUNS ?? 8);
const LONG_ID = 'bench-long';
const TARGETS = { chartMs: 1000, searchMs: 150 };

function percentile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

function line(label: string, values: number[], target: number, unit = 'ms'): string {
  const p50 = percentile(values, 0.5);
  const p95 = percentile(values, 0.95);
  return `${label.padEnd(46)} n=${String(values.length).padStart(2)}  p50 ${p50.toFixed(0).padStart(5)} ${unit}  p95 ${p95.toFixed(0).padStart(5)} ${unit}  max ${Math.max(...values).toFixed(0).padStart(5)} ${unit}  target < ${target} ${unit}: ${p95 < target ? 'met' : 'NOT met'} (p95/target ${(p95 / target).toFixed(2)})`;
}

/** Navigates inside the app (no reload) and measures, in the page, until the chart is complete. */
async function chartComplete(page: Page, patientId: string, family: string): Promise<number> {
  // In-page code as a string: this file is type-checked without the DOM library.
  return page.evaluate<number>(`new Promise((resolve) => {
    const t0 = performance.now();
    history.pushState({}, '', ${JSON.stringify(`/patients/${patientId}`)});
    dispatchEvent(new PopStateEvent('popstate'));
    const check = () => {
      const banner = document.querySelector('.chart-banner-slot');
      const complete = banner?.textContent?.includes(${JSON.stringify(family)}) && document.querySelector('main .h-skeleton') === null && document.querySelector('main section') !== null;
      if (complete) resolve(performance.now() - t0);
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  })`);
}

/**
 * Puts `term` in the search box in one input event (as a paste, or the last keystroke of typing,
 * does) and measures, in the page, from that event until an option showing `expected` is on
 * screen. The box is emptied first and the list seen to close, so no earlier answer counts.
 */
async function searchLatency(page: Page, term: string, expected: string): Promise<number> {
  const box = page.getByPlaceholder(/^Find a patient/);
  await box.fill('');
  await page.keyboard.press('Escape');
  await page.waitForFunction(`![...document.querySelectorAll('[role="option"]')].some((o) => o.textContent?.includes(${JSON.stringify(expected)}))`);
  await page.evaluate(`delete window.__input; document.addEventListener('input', () => (window.__input = performance.now()), { capture: true, once: true });`);
  const seen = page.evaluate(`new Promise((resolve, reject) => {
    const expected = ${JSON.stringify(expected)};
    const found = () => [...document.querySelectorAll('[role="option"]')].some((o) => o.textContent?.includes(expected));
    const observer = new MutationObserver(() => {
      if (window.__input !== undefined && found()) {
        observer.disconnect();
        resolve(performance.now() - window.__input);
      }
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    setTimeout(() => reject(new Error('no option with ' + expected + ' within 10 s')), 10000);
  })`) as Promise<number>;
  await box.fill(term);
  return seen;
}

async function main(): Promise<void> {
  if (ONLY && !ONLY.includes('browser')) return;
  console.log(`\n# Browser benchmark: the clinician app at ${PATIENTS.toLocaleString('en-US')} patients (SQLite)\n`);
  await ensureWebBuilt(() => undefined, { quiet: true });
  const size = await firstLoadSize();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(`first load (shell and home screen, web-build.ts): ${size.files.length} files, JavaScript ${kb(size.jsGzipBytes)} gzip, ${kb(size.jsBrotliBytes)} brotli; target < ${kb(FIRST_LOAD_BUDGET_BYTES)}: ${size.jsGzipBytes < FIRST_LOAD_BUDGET_BYTES ? 'met' : 'NOT met'} (gzip/target ${(size.jsGzipBytes / FIRST_LOAD_BUDGET_BYTES).toFixed(2)})`);

  const loc = await createStoreLocation('sqlite');
  const account: Account = { role: 'physician', email: 'bench.physician@heron-bench.example', password: 'bench physician kestrel lantern 42' };
  let t0 = performance.now();
  const store = await openStore({ dataDir: loc.dataDir, indexer: extractIndexRows });
  try {
    await store.migrate();
    const practice = await createPractice(store, 'Browser bench practice');
    await createUser(store, { practiceId: practice.id, role: account.role, email: account.email, password: account.password });
    await writeAll(store, practice.id, syntheticPatients(PATIENTS));
    const written = await writeAll(store, practice.id, longRecordPatient({ id: LONG_ID, asOf: new Date() }));
    await store.refreshStatistics();
    console.log(`data: ${PATIENTS.toLocaleString('en-US')} patients and a record of ${written.toLocaleString('en-US')} resources in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    await store.close();
  }

  const serve = new ServeProcess(loc, await freePort());
  const browser = await launchBrowser();
  try {
    await serve.start(240_000);
    const chart: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const { context, page } = await newPage(browser);
      try {
        await signIn(page, serve.origin, account);
        chart.push(await chartComplete(page, LONG_ID, 'Longrecord'));
      } finally {
        await context.close();
      }
    }

    const { context, page } = await newPage(browser);
    const search: number[] = [];
    try {
      await signIn(page, serve.origin, account);
      for (let k = 0; k < 12; k++) {
        const p = synthetic(((k + 1) * 4099) % PATIENTS);
        const family = p.name![0]!.family!;
        const given = p.name![0]!.given![0]!;
        const [y, m, d] = p.birthDate!.split('-');
        const kind = k % 4;
        const term =
          kind === 0 ? family.slice(0, 3).toLowerCase()
          : kind === 1 ? `${given.slice(0, 3)} ${family.slice(0, 4)}`.toLowerCase()
          : kind === 2 ? `${family.slice(0, 3)} ${Number(m)}/${Number(d)}/${y}`
          : p.identifier![0]!.value!;
        search.push(
          await searchLatency(page, term, family).catch(async (error: unknown) => {
            await page.screenshot({ path: join(REPO_ROOT, 'tests/browser/screenshots/bench-search-failed.png') });
            throw new Error(`searching "${term}": ${(error as Error).message} (screenshot: tests/browser/screenshots/bench-search-failed.png)`);
          }),
        );
      }
    } finally {
      await context.close();
    }
    console.log('');
    console.log(line('chart complete (1,000 encounters, 20,000 obs.)', chart, TARGETS.chartMs));
    console.log(line('search: input to results on screen', search, TARGETS.searchMs));
    console.log(`\nmachine: ${(await readFile('/proc/loadavg', 'utf8').catch(() => '')).trim()} (load average); the browser, the server and the database share it`);
  } finally {
    await browser.close();
    await serve.stop();
    await destroyStoreLocation(loc);
  }
}

await main();

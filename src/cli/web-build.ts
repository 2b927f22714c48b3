/**
 * Building the web app (web/ → web/dist) with Vite, when it is missing or older than its sources.
 * `npm start` runs it first (`prestart`), and so does the test run (tests/browser/build-web.setup.ts),
 * so a fresh checkout needs no separate build step. `heron serve` itself never builds: a server
 * in production serves what was built and installed.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));
export const WEB_DIST_DIR = join(WEB_DIR, 'dist');
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What the build reads: a change to any of them makes web/dist stale. */
const SOURCES = [join(WEB_DIR, 'src'), join(WEB_DIR, 'index.html'), join(WEB_DIR, 'vite.config.ts'), join(WEB_DIR, 'tsconfig.json'), join(REPO_ROOT, 'package-lock.json')];

async function newestChange(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestChange(join(path, entry)));
  return newest;
}

/** Why web/dist must be built, or undefined when it is up to date. */
export async function webBuildReason(): Promise<string | undefined> {
  const built = await stat(join(WEB_DIST_DIR, 'index.html')).catch(() => undefined);
  if (!built) return 'web/dist is missing';
  let newest = 0;
  for (const source of SOURCES) newest = Math.max(newest, await newestChange(source));
  return newest > built.mtimeMs ? 'web/ changed since the last build' : undefined;
}

/**
 * Builds web/dist with Vite, then writes a brotli and a gzip copy of each asset beside it (the
 * server sends the one the browser accepts, src/api/web/web-app.ts), and reports what the first
 * load costs.
 */
export async function buildWeb(options: { quiet?: boolean; log?: (line: string) => void } = {}): Promise<FirstLoad> {
  const { build } = await import('vite');
  // Always React's production build. Vite (and its React plugin, which picks the JSX runtime)
  // decide by NODE_ENV, which vitest sets to "test": built inside a test run, the app got React's
  // development build (316 KB instead of 251 KB on first load). Set for the build only.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(WEB_DIR, 'vite.config.ts'), root: WEB_DIR, mode: 'production', logLevel: options.quiet ? 'warn' : 'info' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  await precompressAssets();
  const firstLoad = await firstLoadSize();
  options.log?.(
    `First load (the shell and the home screen): ${kb(firstLoad.jsGzipBytes)} of JavaScript gzip-compressed (${kb(firstLoad.jsBrotliBytes)} brotli) in ${firstLoad.files.filter((f) => f.endsWith('.js')).length} files, budget ${kb(FIRST_LOAD_BUDGET_BYTES)}; CSS ${kb(firstLoad.cssGzipBytes)}.`,
  );
  return firstLoad;
}

/** Issue 10: the first load of the app is under 300 KB of compressed JavaScript. */
export const FIRST_LOAD_BUDGET_BYTES = 300 * 1024;
const COMPRESSIBLE = /\.(js|css|svg|html|json)$/;

async function precompressAssets(): Promise<void> {
  const dir = join(WEB_DIST_DIR, 'assets');
  for (const name of await readdir(dir)) {
    if (!COMPRESSIBLE.test(name)) continue;
    const content = await readFile(join(dir, name));
    await writeFile(join(dir, `${name}.br`), brotliCompressSync(content, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }));
    await writeFile(join(dir, `${name}.gz`), gzipSync(content, { level: 9 }));
  }
}

export interface FirstLoad {
  /** The JavaScript and CSS files loaded before the home screen shows. */
  files: string[];
  jsGzipBytes: number;
  jsBrotliBytes: number;
  cssGzipBytes: number;
}

/** The screen a signed-in user lands on; its chunk counts towards the first load. */
const HOME_SCREEN = 'src/screens/home/home-screen.tsx';

/**
 * What the browser fetches before the first screen shows, from Vite's manifest: the entry chunk,
 * the home screen's chunk, and their static imports.
 */
export async function firstLoadSize(): Promise<FirstLoad> {
  type Chunk = { file: string; isEntry?: boolean; imports?: string[]; css?: string[] };
  const manifest = JSON.parse(await readFile(join(WEB_DIST_DIR, '.vite/manifest.json'), 'utf8')) as Record<string, Chunk>;
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  visit(HOME_SCREEN);
  let jsGzipBytes = 0;
  let jsBrotliBytes = 0;
  let cssGzipBytes = 0;
  for (const file of files) {
    const content = await readFile(join(WEB_DIST_DIR, file));
    if (file.endsWith('.js')) {
      jsGzipBytes += gzipSync(content, { level: 9 }).length;
      jsBrotliBytes += brotliCompressSync(content).length;
    } else if (file.endsWith('.css')) cssGzipBytes += gzipSync(content, { level: 9 }).length;
  }
  return { files: [...files], jsGzipBytes, jsBrotliBytes, cssGzipBytes };
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** Builds when stale; says why on `log`. */
export async function ensureWebBuilt(log: (line: string) => void, options: { quiet?: boolean } = {}): Promise<boolean> {
  const reason = await webBuildReason();
  if (!reason) return false;
  log(`Building the web app (${reason})…`);
  await buildWeb({ ...options, log });
  return true;
}

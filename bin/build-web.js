#!/usr/bin/env node
// Builds the web app into web/dist: `--if-stale` only when it is missing or older than web/ (npm start's prestart).
import { register } from 'tsx/esm/api';

register();
const { buildWeb, ensureWebBuilt } = await import('../src/cli/web-build.ts');
if (process.argv.includes('--if-stale')) await ensureWebBuilt((line) => console.error(line));
else await buildWeb({ log: (line) => console.error(line) });

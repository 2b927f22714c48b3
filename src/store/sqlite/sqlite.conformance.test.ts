/** The storage conformance suite on SQLite: a fresh database file in a temporary directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { runConformance } from '../conformance/run.ts';
import { testIndexer } from '../conformance/test-indexer.ts';
import { openStore } from '../open-store.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'heron-sqlite-conformance-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

runConformance({ name: 'sqlite', open: (indexer = testIndexer) => openStore({ dataDir, indexer }) });

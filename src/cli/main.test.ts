import { describe, expect, it } from 'vitest';
import type { FhirStore } from '../store/store.ts';
import type { StorageConfig } from './config.ts';
import { main } from './main.ts';
import type { OpenedStore } from './open-configured-store.ts';
import { recordingTerminal } from './terminal.ts';

/** An opener that records the config it was given and hands out a store that only counts closes. */
function fakeOpener() {
  const calls: StorageConfig[] = [];
  let closed = 0;
  const store = { close: async () => void closed++ } as unknown as FhirStore;
  const openStore = async (config: StorageConfig): Promise<OpenedStore> => {
    calls.push(config);
    return { store, migrations: [{ id: '0001-initial', status: 'applied' }, { id: '0002-more', status: 'already-applied' }] };
  };
  return { calls, openStore, closed: () => closed };
}

describe('main', () => {
  it('prints help and exits 0 for --help', async () => {
    const terminal = recordingTerminal();
    expect(await main(['--help'], { terminal })).toBe(0);
    expect(terminal.stdout.join('\n')).toMatch(/Usage: heron[\s\S]*serve[\s\S]*import[\s\S]*practice[\s\S]*client/);
  });

  it('exits 2 for an unknown command and says so', async () => {
    const terminal = recordingTerminal();
    expect(await main(['frobnicate'], { terminal })).toBe(2);
    expect(terminal.stderr.join('\n')).toMatch(/unknown command 'frobnicate'/);
  });

  it('exits 2 without a command, showing help', async () => {
    const terminal = recordingTerminal();
    expect(await main([], { terminal })).toBe(2);
    expect(terminal.stderr.join('\n')).toMatch(/Usage: heron/);
  });

  it('exits 2 with a clear message for a bad port, before opening the database', async () => {
    const terminal = recordingTerminal();
    const opener = fakeOpener();
    expect(await main(['serve', '--port', 'abc'], { terminal, openStore: opener.openStore, env: {} })).toBe(2);
    expect(terminal.stderr).toEqual(['heron: --port must be a port number between 0 and 65535; got "abc"']);
    expect(opener.calls).toEqual([]);
  });

  it('exits 2 for a bad PORT in the environment', async () => {
    const terminal = recordingTerminal();
    expect(await main(['serve'], { terminal, env: { PORT: '99999' }, openStore: fakeOpener().openStore })).toBe(2);
    expect(terminal.stderr[0]).toMatch(/^heron: PORT must be a port number/);
  });

  it('exits 2 when import lacks --practice or gets a bad --chunk-size', async () => {
    const terminal = recordingTerminal();
    expect(await main(['import', 'x.json'], { terminal, openStore: fakeOpener().openStore })).toBe(2);
    expect(terminal.stderr.join('\n')).toMatch(/required option '--practice <practice>' not specified/);
    expect(await main(['import', 'x.json', '--practice', 'p', '--chunk-size', '0'], { terminal, openStore: fakeOpener().openStore })).toBe(2);
    expect(terminal.stderr.join('\n')).toMatch(/--chunk-size.*expected a positive integer/);
  });

  it('exits 2 when client create lacks --scopes', async () => {
    const terminal = recordingTerminal();
    expect(await main(['client', 'create', '--practice', 'p'], { terminal, openStore: fakeOpener().openStore })).toBe(2);
    expect(terminal.stderr.join('\n')).toMatch(/required option '--scopes <scopes>'/);
  });

  it('migrate opens the configured store, lists migrations and closes the store', async () => {
    const terminal = recordingTerminal();
    const opener = fakeOpener();
    const code = await main(['migrate', '--data', 'd'], { terminal, openStore: opener.openStore, env: { DATABASE_URL: 'postgres://u@h/db' }, cwd: '/srv' });
    expect(code).toBe(0);
    expect(opener.calls).toEqual([{ dataDir: '/srv/d', databaseUrl: 'postgres://u@h/db' }]);
    expect(terminal.stdout).toEqual(['applied  0001-initial', 'already applied  0002-more', 'Applied 1 migration(s).']);
    expect(opener.closed()).toBe(1);
  });

  it('takes --database-url over DATABASE_URL for every database command', async () => {
    const opener = fakeOpener();
    await main(['migrate', '--database-url', 'postgres://flag@h/db'], { terminal: recordingTerminal(), openStore: opener.openStore, env: { DATABASE_URL: 'postgres://env@h/db' }, cwd: '/srv' });
    expect(opener.calls[0]).toEqual({ dataDir: '/srv/heron-data', databaseUrl: 'postgres://flag@h/db' });
  });

  it('reindex runs the store reindex, refreshes the planner statistics and prints its counts (--json for scripts)', async () => {
    const terminal = recordingTerminal();
    let closed = false;
    const calls: string[] = [];
    const store = {
      reindex: async () => (calls.push('reindex'), { done: 3, total: 3, rows: 42 }),
      refreshStatistics: async () => void calls.push('refreshStatistics'),
      close: async () => void (closed = true),
    } as unknown as FhirStore;
    expect(await main(['reindex', '--json'], { terminal, openStore: async () => ({ store, migrations: [] }) })).toBe(0);
    expect(JSON.parse(terminal.stdout[0])).toMatchObject({ resources: 3, indexRows: 42 });
    expect(calls).toEqual(['reindex', 'refreshStatistics']);
    expect(closed).toBe(true);
    const text = recordingTerminal();
    expect(await main(['reindex'], { terminal: text, openStore: async () => ({ store, migrations: [] }) })).toBe(0);
    expect(text.stdout[0]).toMatch(/^Reindexed 3 resources \(42 index rows\)/);
  });

  it('audit verify reports each practice chain and exits 1 naming the first broken entry', async () => {
    const practices = [{ id: 'a', name: 'Intact', createdAt: '' }, { id: 'b', name: 'Altered', createdAt: '' }];
    const store = {
      admin: { listPractices: async () => practices },
      audit: { verify: async (tenant: string) => (tenant === 'a' ? { checked: 7 } : tenant === '_system' ? { checked: 4 } : { checked: 2, broken: { seq: 3, problem: 'its content does not match its hash' } }) },
      close: async () => {},
    } as unknown as FhirStore;
    const terminal = recordingTerminal();
    expect(await main(['audit', 'verify'], { terminal, openStore: async () => ({ store, migrations: [] }) })).toBe(1);
    expect(terminal.stdout).toEqual([
      'ok      Intact (a): 7 entries, chain intact',
      'BROKEN  Altered (b): entry 3: its content does not match its hash; 2 entries before it are intact',
      'ok      server (no practice): 4 entries, chain intact',
    ]);
    const json = recordingTerminal();
    expect(await main(['audit', 'verify', '--json'], { terminal: json, openStore: async () => ({ store: { ...store, audit: { verify: async () => ({ checked: 1 }) } } as unknown as FhirStore, migrations: [] }) })).toBe(0);
    expect(JSON.parse(json.stdout[0]).practices).toHaveLength(2);
    expect(JSON.parse(json.stdout[0]).system).toEqual({ checked: 1 });
  });

  it('reports an unknown practice with exit 1 and closes the store', async () => {
    const terminal = recordingTerminal();
    const opener = fakeOpener();
    const store = { close: async () => {}, admin: { getPractice: async () => undefined, findPracticeByName: async () => undefined } } as unknown as FhirStore;
    let closed = false;
    const openStore = async () => ({ store: { ...store, close: async () => void (closed = true) } as FhirStore, migrations: [] });
    expect(await main(['client', 'create', '--practice', 'Nowhere', '--scopes', 'system/*.*'], { terminal, openStore })).toBe(1);
    expect(terminal.stderr).toEqual(['heron: No practice has the id or name "Nowhere". Create one with: heron practice create "NAME"']);
    expect(closed).toBe(true);
    expect(opener.calls).toEqual([]);
  });
});

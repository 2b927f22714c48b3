import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractIndexRows } from '../../fhir/search/extract.ts';
import { openStore } from '../../store/open-store.ts';
import type { FhirStore } from '../../store/store.ts';
import { recordingTerminal } from '../terminal.ts';
import { clientCreateCommand } from './client-create.ts';
import { practiceCreateCommand } from './practice-create.ts';
import { findPracticeOrganization, PRACTICE_IDENTIFIER_SYSTEM } from '../../domain/practice-settings/practice-organization.ts';

let store: FhirStore;
beforeEach(async () => {
  store = await openStore({ memory: true, indexer: extractIndexRows });
  await store.migrate();
});
afterEach(async () => {
  await store.close();
});

describe('practice create', () => {
  it('--json prints exactly {"id": …} for a practice that now exists', async () => {
    const terminal = recordingTerminal();
    expect(await practiceCreateCommand({ store, terminal }, { name: 'Riverside', json: true })).toBe(0);
    expect(terminal.stdout).toHaveLength(1);
    const printed = JSON.parse(terminal.stdout[0]);
    expect(Object.keys(printed)).toEqual(['id']);
    expect(await store.admin.getPractice(printed.id)).toMatchObject({ id: printed.id, name: 'Riverside' });
    // With its own Organization, which names it on printouts and holds its settings.
    expect(await findPracticeOrganization(store.reader(printed.id))).toMatchObject({ name: 'Riverside', identifier: [{ system: PRACTICE_IDENTIFIER_SYSTEM, value: printed.id }] });
  });

  it('without --json prints a sentence with the id', async () => {
    const terminal = recordingTerminal();
    await practiceCreateCommand({ store, terminal }, { name: 'Hillside' });
    const practice = await store.admin.findPracticeByName('Hillside');
    expect(terminal.stdout).toEqual([`Created practice "Hillside" with id ${practice!.id}`]);
  });
});

describe('client create', () => {
  it('--json prints exactly {"client_id", "client_secret"} for a client of the named practice', async () => {
    const quiet = recordingTerminal();
    await practiceCreateCommand({ store, terminal: quiet }, { name: 'Riverside', json: true });
    const practiceId = JSON.parse(quiet.stdout[0]).id as string;

    const terminal = recordingTerminal();
    // By name here; by id in the next test.
    expect(await clientCreateCommand({ store, terminal }, { practice: 'Riverside', scopes: 'system/*.*', name: 'lab', json: true })).toBe(0);
    expect(terminal.stdout).toHaveLength(1);
    const printed = JSON.parse(terminal.stdout[0]);
    expect(Object.keys(printed)).toEqual(['client_id', 'client_secret']);
    expect(printed.client_secret).toEqual(expect.any(String));
    const client = await store.admin.getClient(printed.client_id);
    expect(client).toMatchObject({ practiceId, scopes: 'system/*.*', name: 'lab' });
    expect(client!.secretHash).not.toContain(printed.client_secret);
  });

  it('accepts a practice id and prints id and secret as text without --json', async () => {
    const quiet = recordingTerminal();
    await practiceCreateCommand({ store, terminal: quiet }, { name: 'Hillside', json: true });
    const practiceId = JSON.parse(quiet.stdout[0]).id as string;
    const terminal = recordingTerminal();
    await clientCreateCommand({ store, terminal }, { practice: practiceId, scopes: 'system/Patient.read' });
    expect(terminal.stdout[1]).toMatch(/^client_id: {5}\S+$/);
    expect(terminal.stdout[2]).toMatch(/^client_secret: \S+$/);
  });

  it('--jwks-file registers a key client without a secret; --jwks-url must be https', async () => {
    const quiet = recordingTerminal();
    await practiceCreateCommand({ store, terminal: quiet }, { name: 'Keys', json: true });
    const { publicKey } = await generateKeyPair('ES384', { extractable: true });
    const dir = await mkdtemp(join(tmpdir(), 'heron-jwks-'));
    const file = join(dir, 'jwks.json');
    await writeFile(file, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] }));
    const terminal = recordingTerminal();
    expect(await clientCreateCommand({ store, terminal }, { practice: 'Keys', scopes: 'system/*.rs', jwksFile: file, json: true })).toBe(0);
    const printed = JSON.parse(terminal.stdout[0]);
    expect(Object.keys(printed)).toEqual(['client_id']);
    const client = await store.admin.getClient(printed.client_id);
    expect(client).toMatchObject({ secretHash: '', scopes: 'system/*.rs' });
    expect(JSON.parse(client!.jwks!).keys[0]).toMatchObject({ kid: 'k1', kty: 'EC' });
    const url = await clientCreateCommand({ store, terminal }, { practice: 'Keys', scopes: 'system/*.rs', jwksUrl: 'https://keys.example.org/jwks.json', json: true });
    expect(url).toBe(0);
    await expect(clientCreateCommand({ store, terminal }, { practice: 'Keys', scopes: 'system/*.rs', jwksUrl: 'http://keys.example.org/jwks.json' })).rejects.toMatchObject({ category: 'invalid' });
    await rm(dir, { recursive: true });
  });
});

/**
 * Crash safety: `kill -9` the server while it is taking concurrent writes, start it again on the
 * same data, and check that every write it acknowledged is there and that no transaction Bundle
 * was half applied.
 *
 * Each transaction writes TX_SIZE resources (a Patient and Observations pointing at it) that all
 * carry one identifier unique to that transaction, so one search per type tells how many of its
 * resources exist: it must be all of them (always, if acknowledged) or none.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HeronServer, STORE_KINDS, sleep, type Tenant } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';
import { countMatches, expectStatus, inParallel } from './fhir-expect.ts';

const TX_SIZE = 5;
const TX_WORKERS = 8;
const CREATE_WORKERS = 4;
/** Acknowledgements of each kind to wait for before the kill, so the kill lands under real load. */
const ACKS_BEFORE_KILL = Number(process.env.HERON_CRASH_ACKS ?? 40);
const MAX_LOAD_MS = 30_000;
const ROUNDS = 2;

type Outcome = 'acked' | 'refused' | 'unknown';

interface TxRecord {
  key: string;
  outcome: Outcome;
  locations: string[];
}

function transaction(system: string, key: string): object {
  const patientUrl = `urn:uuid:${randomUUID()}`;
  const identifier = [{ system, value: key }];
  const entry: object[] = [
    { fullUrl: patientUrl, resource: { resourceType: 'Patient', identifier, name: [{ family: 'Crash', given: [key.slice(0, 8)] }] }, request: { method: 'POST', url: 'Patient' } },
  ];
  for (let i = 1; i < TX_SIZE; i++) {
    entry.push({
      fullUrl: `urn:uuid:${randomUUID()}`,
      resource: { resourceType: 'Observation', identifier, status: 'final', code: { text: `reading ${i}` }, subject: { reference: patientUrl }, valueQuantity: { value: i, unit: 'kg' } },
      request: { method: 'POST', url: 'Observation' },
    });
  }
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

/** Path relative to the FHIR base from an absolute or relative Location. */
function relativeLocation(location: string): string {
  const m = /([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(location);
  if (!m) throw new Error(`unexpected location ${location}`);
  return m[1];
}

describe.each(STORE_KINDS)('crash safety (%s)', (kind) => {
  let server: HeronServer;
  let t: Tenant;

  useHeronServer(kind, (started) => {
    server = started;
    t = started.default;
  });

  it('after kill -9 every acknowledged write is readable and no transaction is half applied', async () => {
    const system = `urn:heron-test:crash:${randomUUID()}`;
    const txs: TxRecord[] = [];
    const createdIds: string[] = [];
    const createStatuses = new Map<number, number>();
    let unknownCreates = 0;
    // One write of each kind first: the first requests after start load definitions and are slow.
    expectStatus(await t.fhir('POST', '', { body: transaction(system, 'warm-up') }), 200);
    expectStatus(await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient' } }), 201);

    for (let round = 0; round < ROUNDS; round++) {
      let stopping = false;
      let ackedTx = 0;
      let ackedCreates = 0;
      const txWorker = async () => {
        while (!stopping) {
          const record: TxRecord = { key: randomUUID(), outcome: 'unknown', locations: [] };
          txs.push(record);
          try {
            const res = await t.fhir('POST', '', { body: transaction(system, record.key) });
            if (res.status === 200) {
              record.locations = (res.body.entry as any[]).map((e) => relativeLocation(e.response.location));
              record.outcome = 'acked';
              ackedTx++;
            } else {
              record.outcome = 'refused';
            }
          } catch {
            return; // connection died: the outcome stays unknown
          }
        }
      };
      const createWorker = async () => {
        while (!stopping) {
          try {
            const res = await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', identifier: [{ system: `${system}:single`, value: randomUUID() }] } });
            createStatuses.set(res.status, (createStatuses.get(res.status) ?? 0) + 1);
            if (res.status === 201) {
              createdIds.push(res.body.id);
              ackedCreates++;
            }
          } catch {
            unknownCreates++;
            return;
          }
        }
      };
      const workers = [...Array.from({ length: TX_WORKERS }, txWorker), ...Array.from({ length: CREATE_WORKERS }, createWorker)];
      const loadStarted = Date.now();
      while ((ackedTx < ACKS_BEFORE_KILL || ackedCreates < ACKS_BEFORE_KILL) && Date.now() - loadStarted < MAX_LOAD_MS) await sleep(20);
      // A random moment, so the kill does not always land at the same point of a request.
      await sleep(Math.random() * 50);
      console.log(`[crash-safety ${kind}] round ${round}: kill after ${Date.now() - loadStarted} ms of load`);
      await server.serve.crash();
      stopping = true;
      await Promise.all(workers);
      await server.serve.start();
    }

    const acked = txs.filter((r) => r.outcome === 'acked');
    const unknown = txs.filter((r) => r.outcome === 'unknown');
    console.log(`[crash-safety ${kind}] transactions acked=${acked.length} unknown=${unknown.length} refused=${txs.length - acked.length - unknown.length}; creates acked=${createdIds.length} unknown=${unknownCreates} statuses=${JSON.stringify(Object.fromEntries(createStatuses))}`);
    // Without a real load the test would prove nothing.
    expect(acked.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);
    expect(createdIds.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);

    const verifyStarted = Date.now();
    await inParallel(createdIds, 8, async (id) => expectStatus(await t.fhir('GET', `Patient/${id}`), 200));
    await inParallel(txs, 8, async (record) => {
      const ident = `identifier=${encodeURIComponent(`${system}|${record.key}`)}`;
      const found = (await countMatches(t, `Patient?${ident}`)) + (await countMatches(t, `Observation?${ident}&_count=50`));
      if (record.outcome === 'acked') {
        expect(found, `acknowledged transaction ${record.key}`).toBe(TX_SIZE);
        expect(record.locations).toHaveLength(TX_SIZE);
        for (const location of record.locations) expectStatus(await t.fhir('GET', location), 200);
      } else if (record.outcome === 'refused') {
        expect(found, `refused transaction ${record.key}`).toBe(0);
      } else {
        expect([0, TX_SIZE], `transaction ${record.key} in flight at the kill`).toContain(found);
      }
    });
    console.log(`[crash-safety ${kind}] verified in ${Date.now() - verifyStarted} ms`);

    // And the restarted server takes writes again.
    expectStatus(await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', gender: 'female' } }), 201);
  });
});

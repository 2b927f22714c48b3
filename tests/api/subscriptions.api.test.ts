/**
 * FHIR R4 Subscriptions over the websocket channel, on both databases (docs/subscriptions.md): a
 * subscriber that authenticated with its token and bound a Subscription gets `ping <id>` for a
 * create and an update matching the criteria, and nothing for others; never for another
 * practice's resources, nor for a patient's resources that a patient-bound or limited user may
 * not see; a bad token cannot bind; turning the Subscription off or deleting it stops the pings.
 * On PostgreSQL a write on a second app server pings a client connected to the first
 * (LISTEN/NOTIFY). A lab result gets its review Task in the same write.
 */
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { authorizeUrl, fetchHttp, pkce, signInAndConsent } from '../../src/api/auth/test-flow.ts';
import { freePort, HeronServer, httpRequest, ServeProcess, STORE_KINDS, type Tenant } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';
import { expectStatus } from './fhir-expect.ts';

interface ClientSocket {
  on(event: 'message', listener: (data: Buffer) => void): void;
  on(event: 'open' | 'close', listener: () => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  send(text: string): void;
  close(): void;
}
const WebSocket = createRequire(import.meta.url)('ws') as new (url: string) => ClientSocket;

const PASSWORD = 'Quiet-Meadow-Compass-77';
const REDIRECT = 'http://localhost:4567/callback';
const SCOPES = 'openid fhirUser user/*.cruds';
const LAB = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }];

/** A websocket client that keeps every message it was sent, and waits for the next ones. */
class Listener {
  readonly messages: string[] = [];
  private waiters: Array<() => void> = [];
  private constructor(private readonly socket: ClientSocket) {
    socket.on('message', (data) => {
      this.messages.push(data.toString());
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static open(url: string): Promise<Listener> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const listener = new Listener(socket);
      socket.on('open', () => resolve(listener));
      socket.on('error', reject);
    });
  }

  /** Waits (at most `ms`) for a message matching `pattern` after the first `from` messages. */
  async next(pattern: RegExp, ms = 5000, from = 0): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.slice(from).find((m) => pattern.test(m));
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message like ${pattern} within ${ms} ms; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, left);
        this.waiters.push(() => (clearTimeout(timer), r()));
      });
    }
  }

  /** Sends and waits for the answer matching `pattern`. */
  async ask(text: string, pattern: RegExp): Promise<string> {
    const from = this.messages.length;
    this.socket.send(text);
    return this.next(pattern, 5000, from);
  }

  /** How many pings of `id` arrived so far. */
  pings(id: string): number {
    return this.messages.filter((m) => m === `ping ${id}`).length;
  }

  close(): void {
    this.socket.close();
  }
}

/** Lets the change feed deliver whatever was committed; nothing may arrive after it that would have. */
const settle = () => new Promise((r) => setTimeout(r, 700));

describe.each(STORE_KINDS)('Subscriptions over websocket (%s)', (kind) => {
  let server: HeronServer;
  let t: Tenant;
  let other: Tenant;
  let app: { client_id: string; client_secret: string };
  const sockets: Listener[] = [];

  useHeronServer(kind, (started) => {
    server = started;
    t = started.default;
  });
  afterAll(() => sockets.forEach((s) => s.close()));

  const wsUrl = () => `${server.fhirBase.replace(/^http/, 'ws')}/$websocket`;

  async function cli(args: string[]): Promise<Record<string, string>> {
    const res = await server.cli(args);
    expect(res.code, res.stderr).toBe(0);
    return JSON.parse(res.stdout.trim().split('\n').at(-1)!);
  }

  /** A user of the default practice signed in through the app; their access token. */
  async function userToken(email: string, role: string, extra: string[]): Promise<string> {
    app ??= (await cli(['app', 'register', '--practice', t.practiceId, '--name', 'Inbox', '--redirect-uri', REDIRECT, '--scopes', SCOPES, '--json'])) as typeof app;
    await cli(['user', 'create', '--practice', t.practiceId, '--role', role, '--email', email, '--password', PASSWORD, ...extra, '--json']);
    const { verifier, challenge } = pkce();
    const url = authorizeUrl(server.origin, { clientId: app.client_id, redirectUri: REDIRECT, scope: SCOPES, aud: server.fhirBase, challenge, method: 'S256' });
    const { redirect } = await signInAndConsent(fetchHttp, server.origin, url, { email, password: PASSWORD });
    const basic = `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}`;
    const exchanged = await fetchHttp('POST', `${server.origin}/oauth2/token`, {
      headers: { authorization: basic },
      form: new URLSearchParams({ grant_type: 'authorization_code', code: redirect.searchParams.get('code')!, code_verifier: verifier, redirect_uri: REDIRECT }),
    });
    expect(exchanged.status, exchanged.text).toBe(200);
    return JSON.parse(exchanged.text).access_token as string;
  }

  async function create(tenant: Tenant, resource: Record<string, unknown>, token?: string): Promise<string> {
    const res = await tenant.fhir('POST', resource.resourceType as string, { body: resource, ...(token ? { token } : {}) });
    expectStatus(res, 201);
    return res.body.id as string;
  }

  async function subscribe(criteria: string, token?: string): Promise<string> {
    const res = await t.fhir('POST', 'Subscription', { body: { resourceType: 'Subscription', status: 'requested', reason: 'Inbox', criteria, channel: { type: 'websocket' } }, ...(token ? { token } : {}) });
    expectStatus(res, 201);
    expect(res.body.status).toBe('active');
    return res.body.id as string;
  }

  async function connect(token: string, ...subscriptionIds: string[]): Promise<Listener> {
    const socket = await Listener.open(wsUrl());
    sockets.push(socket);
    expect(await socket.ask(`bearer ${token}`, /^(authenticated|error)/)).toBe('authenticated');
    for (const id of subscriptionIds) expect(await socket.ask(`bind ${id}`, new RegExp(`^(bound ${id}|error)`))).toBe(`bound ${id}`);
    return socket;
  }

  let patientA: string;
  let patientB: string;
  let physician: string;
  let physicianToken: string;

  it('advertises the websocket in the CapabilityStatement and refuses Subscriptions it cannot deliver', async () => {
    other = await server.addTenant('Other Practice');
    const metadata = await server.request('GET', '/fhir/R4/metadata');
    expect(metadata.body.rest[0].extension).toContainEqual({ url: 'http://hl7.org/fhir/StructureDefinition/capabilitystatement-websocket', valueUri: wsUrl() });
    const restHook = await t.fhir('POST', 'Subscription', { body: { resourceType: 'Subscription', status: 'requested', reason: 'x', criteria: 'Task?status=requested', channel: { type: 'rest-hook', endpoint: 'https://example.org/hook' } } });
    expectStatus(restHook, 422);
    const badCriteria = await t.fhir('POST', 'Subscription', { body: { resourceType: 'Subscription', status: 'requested', reason: 'x', criteria: 'Task?colour=blue', channel: { type: 'websocket' } } });
    expectStatus(badCriteria, 400);
  });

  it('pings a subscriber for a matching create and update, and not for others', async () => {
    physician = await create(t, { resourceType: 'Practitioner', name: [{ family: 'Osler' }] });
    patientA = await create(t, { resourceType: 'Patient', name: [{ family: 'Alpha' }] });
    patientB = await create(t, { resourceType: 'Patient', name: [{ family: 'Beta' }] });
    physicianToken = await userToken('osler@example.org', 'physician', ['--fhir-user', `Practitioner/${physician}`]);
    const criteria = `Task?owner=Practitioner/${physician}&status=requested`;
    const sub = await subscribe(criteria, physicianToken);
    // Apps find Subscriptions to reuse by their criteria (the web app does).
    const found = await t.fhir('GET', `Subscription?criteria:exact=${encodeURIComponent(criteria)}&status=active&type=websocket`, { token: physicianToken });
    expect(found.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([sub]);
    const socket = await connect(physicianToken, sub);

    const task = { resourceType: 'Task', status: 'requested', intent: 'order', for: { reference: `Patient/${patientA}` }, owner: { reference: `Practitioner/${physician}` }, description: 'Call back' };
    const id = await create(t, task);
    await socket.next(new RegExp(`^ping ${sub}$`));
    expect(socket.pings(sub)).toBe(1);

    const updated = await t.fhir('PUT', `Task/${id}`, { body: { ...task, id, description: 'Call back today' } });
    expectStatus(updated, 200);
    await socket.next(new RegExp(`^ping ${sub}$`), 5000, socket.messages.lastIndexOf(`ping ${sub}`) + 1);
    expect(socket.pings(sub)).toBe(2);

    // Not matching: another owner, a status outside the criteria, another type.
    await create(t, { ...task, owner: { reference: 'Practitioner/someone-else' } });
    await t.fhir('PUT', `Task/${id}`, { body: { ...task, id, status: 'completed' } });
    await create(t, { resourceType: 'Communication', status: 'completed', subject: { reference: `Patient/${patientA}` } });
    await settle();
    expect(socket.pings(sub)).toBe(2);
  });

  it('never pings across practices', async () => {
    const sub = await subscribe('Task?status=requested', physicianToken);
    const socket = await connect(physicianToken, sub);
    const elsewhere = await create(other, { resourceType: 'Patient', name: [{ family: 'Elsewhere' }] });
    await create(other, { resourceType: 'Task', status: 'requested', intent: 'order', for: { reference: `Patient/${elsewhere}` } });
    await settle();
    expect(socket.pings(sub)).toBe(0);
    // The same kind of write in the subscriber's practice is told.
    await create(t, { resourceType: 'Task', status: 'requested', intent: 'order', for: { reference: `Patient/${patientA}` } });
    await socket.next(new RegExp(`^ping ${sub}$`));
    // Another practice cannot bind it either.
    const otherSocket = await Listener.open(wsUrl());
    sockets.push(otherSocket);
    expect(await otherSocket.ask(`bearer ${other.token}`, /^(authenticated|error)/)).toBe('authenticated');
    expect(await otherSocket.ask(`bind ${sub}`, /^(bound|error)/)).toMatch(/^error 404 /);
  });

  it('never pings a patient-bound or limited user for resources they may not see', async () => {
    const lab = (patient: string) => ({ resourceType: 'Observation', status: 'final', category: LAB, code: { text: 'Potassium' }, subject: { reference: `Patient/${patient}` }, valueQuantity: { value: 4.1, unit: 'mmol/L' } });
    // A bare type: the only Subscriptions patient-bound access can see and bind.
    const sub = await subscribe('Observation');
    const patientToken = await userToken('alpha@example.org', 'patient', ['--patient', patientA, '--fhir-user', `Patient/${patientA}`]);
    const limitedToken = await userToken('parent@example.org', 'proxy', ['--limited-patient', patientA]);
    const patientSocket = await connect(patientToken, sub);
    const limitedSocket = await connect(limitedToken, sub);

    await create(t, lab(patientB));
    await settle();
    expect(patientSocket.pings(sub)).toBe(0);
    expect(limitedSocket.pings(sub)).toBe(0);

    await create(t, lab(patientA));
    await patientSocket.next(new RegExp(`^ping ${sub}$`));
    await settle();
    // A limited proxy sees no results of their patient: nothing is told.
    expect(limitedSocket.pings(sub)).toBe(0);
  });

  it("keeps staff Subscriptions with search parameters absent to patients and proxies", async () => {
    // Criteria naming a practitioner and a patient: the practice's own working state.
    const staff = [await subscribe(`Task?owner=Practitioner/${physician}&status=requested`, physicianToken), await subscribe(`Observation?subject=Patient/${patientB}`, physicianToken)];
    const bare = await subscribe('Communication', physicianToken);
    const unused = 'no-such-subscription';
    const patientToken = await userToken('alpha-subs@example.org', 'patient', ['--patient', patientA, '--fhir-user', `Patient/${patientA}`]);
    const proxyToken = await userToken('parent-subs@example.org', 'proxy', ['--patient', patientA]);
    const staffIds = await t.fhir('GET', 'Subscription?_count=1000&_elements=id', { token: physicianToken });
    expect(staffIds.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(expect.arrayContaining([...staff, bare]));
    for (const token of [patientToken, proxyToken]) {
      const never = await t.fhir('GET', `Subscription/${unused}`, { token });
      for (const id of staff) {
        // Answered exactly as an id never used, by id and through the websocket binding.
        const read = await t.fhir('GET', `Subscription/${id}`, { token });
        expectStatus(read, 404);
        expect(JSON.stringify(read.body).replaceAll(id, unused)).toBe(JSON.stringify(never.body));
        expectStatus(await t.fhir('GET', `Subscription/${id}/_history`, { token }), 404);
        const put = (to: string) => t.fhir('PUT', `Subscription/${to}`, { body: { resourceType: 'Subscription', id: to, status: 'off', reason: 'x', criteria: 'Communication', channel: { type: 'websocket' } }, token });
        const [changed, unusedPut] = [await put(id), await put(unused)];
        expect([changed.status, JSON.stringify(changed.body).replaceAll(id, unused)]).toEqual([unusedPut.status, JSON.stringify(unusedPut.body)]);
        const socket = await Listener.open(wsUrl());
        sockets.push(socket);
        expect(await socket.ask(`bearer ${token}`, /^(authenticated|error)/)).toBe('authenticated');
        expect(await socket.ask(`bind ${id}`, /^(bound|error)/)).toMatch(/^error 404 /);
      }
      // Searches, their counts and pages hold the bare ones only, and no criteria naming anyone.
      const all = await t.fhir('GET', 'Subscription?_count=1000', { token });
      expectStatus(all, 200);
      const ids = all.body.entry.map((e: { resource: { id: string; criteria: string } }) => e.resource.id);
      expect(ids).toContain(bare);
      for (const id of staff) expect(ids).not.toContain(id);
      for (const e of all.body.entry as Array<{ resource: { criteria: string } }>) expect(e.resource.criteria).not.toContain('?');
      expect(JSON.stringify(all.body)).not.toContain(physician);
      expect(JSON.stringify(all.body)).not.toContain(patientB);
      expect(all.body.total).toBe(ids.length);
      const count = await t.fhir('GET', 'Subscription?_summary=count', { token });
      expect(count.body.total).toBe(ids.length);
      const byCriteria = await t.fhir('GET', `Subscription?criteria=Task`, { token });
      expect(byCriteria.body.total).toBe(0);
      const paged = await t.fhir('GET', 'Subscription?_count=1', { token });
      expect(paged.body.total).toBe(ids.length);
      expectStatus(await t.fhir('GET', '?_type=Subscription,Practitioner', { token }), 403);
      expectStatus(await t.fhir('GET', `Subscription/${bare}`, { token }), 200);
    }
  });

  it("lets a patient make their own Subscription to a bare type, told only of their own record's messages", async () => {
    const patientToken = await userToken('alpha-messages@example.org', 'patient', ['--patient', patientA, '--fhir-user', `Patient/${patientA}`]);
    const end = new Date(Date.now() + 6 * 3_600_000).toISOString();
    const mine = { resourceType: 'Subscription', status: 'requested', reason: 'Messages', criteria: 'Communication', end, channel: { type: 'websocket' } };
    // Criteria naming anything (even their own record), another channel, no end or a far one: refused.
    for (const bad of [{ criteria: `Communication?subject=Patient/${patientA}` }, { criteria: 'Practitioner' }, { channel: { type: 'websocket', endpoint: 'https://example.org/hook' } }, { end: undefined }, { end: new Date(Date.now() + 48 * 3_600_000).toISOString() }]) {
      expectStatus(await t.fhir('POST', 'Subscription', { body: { ...mine, ...bad }, token: patientToken }), 422);
    }
    const made = await t.fhir('POST', 'Subscription', { body: mine, token: patientToken });
    expectStatus(made, 201);
    const sub = made.body.id as string;
    // Made, not changed or deleted by them.
    expectStatus(await t.fhir('PUT', `Subscription/${sub}`, { body: { ...made.body, status: 'off' }, token: patientToken }), 403);
    const socket = await connect(patientToken, sub);
    const message = (patient: string) => ({ resourceType: 'Communication', status: 'completed', subject: { reference: `Patient/${patient}` }, sender: { reference: `Practitioner/${physician}` }, recipient: [{ reference: `Patient/${patient}` }], payload: [{ contentString: 'Your results are fine.' }] });
    await create(t, message(patientB));
    await settle();
    expect(socket.pings(sub)).toBe(0);
    await create(t, message(patientA));
    await socket.next(new RegExp(`^ping ${sub}$`));
    await settle();
    expect(socket.pings(sub)).toBe(1);
  });

  it('keeps restricted records closed to staff without a care relationship', async () => {
    const nurseToken = await userToken('nurse@example.org', 'nurse', []);
    const sub = await subscribe('Observation?category=laboratory', nurseToken);
    const socket = await connect(nurseToken, sub);
    const restricted = { resourceType: 'Observation', status: 'final', category: LAB, code: { text: 'HIV viral load' }, subject: { reference: `Patient/${patientB}` }, meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] } };
    await create(t, restricted);
    await settle();
    expect(socket.pings(sub)).toBe(0);
  });

  it('refuses to bind without a valid token, and a token of a user who may not read it', async () => {
    const sub = await subscribe('Task?status=requested');
    const socket = await Listener.open(wsUrl());
    sockets.push(socket);
    expect(await socket.ask(`bind ${sub}`, /^(bound|error)/)).toMatch(/^error 401 /);
    expect(await socket.ask('bearer not.a-valid.token', /^(authenticated|error)/)).toMatch(/^error 401 /);
    expect(await socket.ask(`bind ${sub}`, /^(bound|error)/)).toMatch(/^error 401 /);
    expect(await socket.ask('bind ../Patient', /^(bound|error)/)).toMatch(/^error 400 /);
    await create(t, { resourceType: 'Task', status: 'requested', intent: 'order', for: { reference: `Patient/${patientA}` } });
    await settle();
    expect(socket.pings(sub)).toBe(0);
  });

  it('stops pinging once the Subscription is turned off or deleted', async () => {
    const criteria = `Task?owner=Practitioner/${physician}`;
    const off = await subscribe(criteria, physicianToken);
    const gone = await subscribe(criteria, physicianToken);
    const socket = await connect(physicianToken, off, gone);
    const current = await t.fhir('GET', `Subscription/${off}`);
    expectStatus(await t.fhir('PUT', `Subscription/${off}`, { body: { ...current.body, status: 'off' } }), 200);
    expectStatus(await t.fhir('DELETE', `Subscription/${gone}`), 204);
    await socket.next(new RegExp(`^unbound ${off}$`));
    await socket.next(new RegExp(`^unbound ${gone}$`));
    await create(t, { resourceType: 'Task', status: 'requested', intent: 'order', for: { reference: `Patient/${patientA}` }, owner: { reference: `Practitioner/${physician}` } });
    await settle();
    expect(socket.pings(off)).toBe(0);
    expect(socket.pings(gone)).toBe(0);
    expect(await socket.ask(`bind ${off}`, /^(bound|error)/)).toMatch(/^error 409 .*off/);
  });

  it('writes a review Task for the ordering clinician with a new lab result, in the same write', async () => {
    const order = await create(t, { resourceType: 'ServiceRequest', status: 'active', intent: 'order', code: { text: 'Basic metabolic panel' }, subject: { reference: `Patient/${patientA}` }, requester: { reference: `Practitioner/${physician}` } });
    const sub = await subscribe(`Task?owner=Practitioner/${physician}&code=urn:heron:inbox-task|review-result&status=requested`, physicianToken);
    const socket = await connect(physicianToken, sub);
    const result = await create(
      t,
      { resourceType: 'Observation', status: 'final', category: LAB, basedOn: [{ reference: `ServiceRequest/${order}` }], code: { text: 'Sodium' }, subject: { reference: `Patient/${patientA}` }, interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'N' }] }] },
      physicianToken,
    );
    await socket.next(new RegExp(`^ping ${sub}$`));
    const tasks = await t.fhir('GET', `Task?focus=Observation/${result}`);
    expect(tasks.body.entry).toHaveLength(1);
    expect(tasks.body.entry[0].resource).toMatchObject({ status: 'requested', priority: 'routine', owner: { reference: `Practitioner/${physician}` }, for: { reference: `Patient/${patientA}` } });
    // An update of the result is not a new result.
    const stored = await t.fhir('GET', `Observation/${result}`);
    expectStatus(await t.fhir('PUT', `Observation/${result}`, { body: { ...stored.body, status: 'amended' }, token: physicianToken }), 200);
    expect((await t.fhir('GET', `Task?focus=Observation/${result}`)).body.entry).toHaveLength(1);
  });

  it.runIf(kind === 'postgres')('tells clients of one app server about writes on another (LISTEN/NOTIFY)', async () => {
    const second = new ServeProcess(server.loc, await freePort());
    await second.start();
    try {
      const sub = await subscribe(`Task?owner=Practitioner/${physician}`, physicianToken);
      const socket = await connect(physicianToken, sub);
      const basic = `Basic ${Buffer.from(`${t.clientId}:${t.clientSecret}`).toString('base64')}`;
      const token = (await httpRequest('POST', `${second.origin}/oauth2/token`, { body: 'grant_type=client_credentials', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic, accept: 'application/json' } })).body.access_token as string;
      const written = await httpRequest('POST', `${second.origin}/fhir/R4/Task`, { token, body: { resourceType: 'Task', status: 'requested', intent: 'order', for: { reference: `Patient/${patientA}` }, owner: { reference: `Practitioner/${physician}` } } });
      expect(written.status, written.text).toBe(201);
      await socket.next(new RegExp(`^ping ${sub}$`));
    } finally {
      await second.stop();
    }
  });
});

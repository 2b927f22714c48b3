/**
 * FHIR R4 Subscriptions, websocket channel (docs/subscriptions.md). A client connects to
 * `<FHIR base>/$websocket`, authenticates with `bearer <token>`, binds Subscriptions by id, and
 * is sent `ping <id>` whenever a resource matching one's criteria is created or updated.
 *
 * Who is told what: a change is matched by running the Subscription's criteria as a search
 * restricted to the changed resource (`_id`), through `dispatch`, as the principal of the token
 * the client authenticated with — so the one implementation of search and of every access rule
 * (practice, role, scopes, patient compartments, restricted records) decides, exactly as when
 * the client then searches. Binding reads the Subscription through `dispatch` too (audited like
 * any read). The matching searches themselves are not audited: a ping discloses no content, only
 * that something the client may see changed, and the client's following search is audited.
 *
 * Across app servers: changes come from the store's change feed (`FhirStore.changes`: in-process
 * on SQLite, PostgreSQL LISTEN/NOTIFY across servers), so a write on any server pings clients
 * connected to any other. Changes to a bound Subscription re-read it, so turning it off or
 * deleting it stops its pings on every server.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Subscription } from '@medplum/fhirtypes';
import type { Principal } from '../../domain/access/principal.ts';
import { discardingAuditSink, type AuditSink } from '../../domain/audit/audit-sink.ts';
import type { Clock } from '../../domain/clock.ts';
import type { Ctx } from '../../domain/context.ts';
import { FhirError } from '../../fhir/outcome.ts';
import { parseCriteria, type SubscriptionCriteria } from '../../fhir/subscriptions/criteria.ts';
import type { CommittedChange, FhirStore } from '../../store/store.ts';
import { fhirBaseFor } from '../auth/access-token.ts';
import type { Authenticate } from '../auth/authenticate.ts';
import { statusFor } from '../errors.ts';
import { dispatch } from '../fhir/dispatch.ts';
import type { FhirRequest } from '../fhir/fhir-request.ts';
import { FHIR_BASE_PATH } from '../fhir/routes.ts';
import { parseClientMessage, serverMessage } from './channel-messages.ts';
import { newWsServer, WS_OPEN, type WsSocket } from './ws-server.ts';

/** Where clients connect, under the FHIR base (advertised in the CapabilityStatement). */
export const WEBSOCKET_PATH = `${FHIR_BASE_PATH}/$websocket`;
/** Subscriptions one connection may bind. */
const MAX_BINDINGS = 50;
/** Largest message a client may send (a token is about 1 KB). */
const MAX_MESSAGE_BYTES = 16 * 1024;
/** Keep-alive: a connection that does not answer a ping within this time is closed. */
const HEARTBEAT_MS = 30_000;
/** A connection that has not authenticated by then is closed (an idle anonymous socket costs the server). */
const AUTHENTICATE_WITHIN_MS = 30_000;

export interface WebsocketChannelDeps {
  store: FhirStore;
  /** The FHIR API's authenticator (its token cache and rechecks). */
  authenticate: Authenticate;
  /** The access rules' audit sink: binding reads the Subscription, audited. */
  audit: AuditSink;
  publicBaseUrl?: string;
  clock: Clock;
  onError: (err: unknown) => void;
}

interface Binding {
  criteria: SubscriptionCriteria;
  /** The Subscription's `end` (epoch ms): no ping after it. */
  end?: number;
}

interface Connection {
  socket: WsSocket;
  origin: { ip?: string; userAgent?: string };
  baseUrl: string;
  /** `Bearer <token>` as the authenticator takes it; undefined until the client authenticates. */
  authorization?: string;
  principal?: Principal;
  bindings: Map<string, Binding>;
  /** Work on this connection runs in order (messages and deliveries). */
  queue: Promise<void>;
  alive: boolean;
}

export interface WebsocketChannel {
  close(): Promise<void>;
}

/** Takes websocket upgrades to `WEBSOCKET_PATH` on `server`; other upgrade requests are refused. */
export function installWebsocketChannel(server: Server, deps: WebsocketChannelDeps): WebsocketChannel {
  const wss = newWsServer(MAX_MESSAGE_BYTES);
  const connections = new Set<Connection>();
  let stopListening: Promise<() => Promise<void>> | undefined;
  let closed = false;

  /** Listens to the change feed from the first connection on (no connection: no cost). */
  const ensureListening = (): Promise<unknown> => {
    stopListening ??= deps.store.changes.listen((tenant, changes) => {
      for (const connection of connections) {
        if (connection.principal?.tenant === tenant) enqueue(connection, () => deliver(connection, changes));
      }
    });
    return stopListening;
  };

  const heartbeat = setInterval(() => {
    for (const connection of connections) {
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== WEBSOCKET_PATH && path !== `${FHIR_BASE_PATH}/%24websocket`) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    if (closed) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
    ensureListening().then(
      () => wss.handleUpgrade(request, socket, head, (ws) => accept(ws, request)),
      (err: unknown) => {
        deps.onError(err);
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      },
    );
  };
  server.on('upgrade', onUpgrade);

  function accept(socket: WsSocket, request: IncomingMessage): void {
    const host = request.headers.host ?? 'localhost';
    const encrypted = (request.socket as { encrypted?: boolean }).encrypted === true;
    const baseUrl = deps.publicBaseUrl !== undefined ? fhirBaseFor(deps.publicBaseUrl.replace(/\/+$/, '')) : `${encrypted ? 'https' : 'http'}://${host}${FHIR_BASE_PATH}`;
    const connection: Connection = {
      socket,
      origin: { ip: request.socket.remoteAddress, userAgent: request.headers['user-agent'] },
      baseUrl,
      bindings: new Map(),
      queue: Promise.resolve(),
      alive: true,
    };
    connections.add(connection);
    const unauthenticated = setTimeout(() => {
      if (connection.principal === undefined) connection.socket.close(4401, 'Not authenticated');
    }, AUTHENTICATE_WITHIN_MS);
    unauthenticated.unref();
    socket.on('close', () => clearTimeout(unauthenticated));
    socket.on('pong', () => void (connection.alive = true));
    socket.on('close', () => void connections.delete(connection));
    socket.on('error', () => void connections.delete(connection));
    socket.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString('utf8');
      enqueue(connection, () => onMessage(connection, text));
    });
  }

  function enqueue(connection: Connection, work: () => Promise<void>): void {
    connection.queue = connection.queue.then(work).catch((err: unknown) => deps.onError(err));
  }

  function send(connection: Connection, message: string): void {
    if (connection.socket.readyState === WS_OPEN) connection.socket.send(message);
  }

  async function onMessage(connection: Connection, text: string): Promise<void> {
    const message = parseClientMessage(text);
    switch (message.kind) {
      case 'invalid':
        return send(connection, serverMessage.error(400, message.reason));
      case 'bearer':
        return authenticateWith(connection, `Bearer ${message.token}`);
      case 'bind':
        return bind(connection, message.id);
      case 'unbind':
        connection.bindings.delete(message.id);
        return send(connection, serverMessage.unbound(message.id));
    }
  }

  async function authenticateWith(connection: Connection, authorization: string): Promise<void> {
    try {
      const principal = await deps.authenticate(authorization, connection.baseUrl);
      // Bindings belong to whoever bound them: another user's token starts afresh.
      if (connection.principal !== undefined && (connection.principal.id !== principal.id || connection.principal.tenant !== principal.tenant)) connection.bindings.clear();
      connection.principal = principal;
      connection.authorization = authorization;
      send(connection, serverMessage.authenticated());
    } catch (err) {
      connection.principal = undefined;
      connection.authorization = undefined;
      connection.bindings.clear();
      send(connection, errorMessage(err));
    }
  }

  /** The principal of the connection's token if it is still good (expiry, revocation, disabled accounts). */
  async function currentPrincipal(connection: Connection): Promise<Principal | undefined> {
    if (connection.authorization === undefined) return undefined;
    const cached = deps.authenticate.cached(connection.authorization, connection.baseUrl);
    if (cached !== undefined) return cached;
    try {
      return await deps.authenticate(connection.authorization, connection.baseUrl);
    } catch (err) {
      connection.principal = undefined;
      connection.authorization = undefined;
      send(connection, errorMessage(err, 'send "bearer <new access token>" and bind again'));
      connection.bindings.clear();
      return undefined;
    }
  }

  function ctxOf(connection: Connection, principal: Principal, audit: AuditSink): Ctx {
    return { tenant: principal.tenant, principal, store: deps.store, audit, origin: connection.origin, clock: deps.clock, onBackgroundError: deps.onError };
  }

  function request(connection: Connection, path: string, query = new URLSearchParams()): FhirRequest {
    return { method: 'GET', path, query, headers: {}, baseUrl: connection.baseUrl };
  }

  /** The Subscription's binding when it is one this principal may read and Heron delivers now; an error message otherwise. */
  async function deliverable(connection: Connection, principal: Principal, id: string): Promise<Binding | string> {
    let subscription: Subscription;
    try {
      const response = await dispatch(ctxOf(connection, principal, deps.audit), request(connection, `Subscription/${id}`));
      subscription = response.body as Subscription;
    } catch (err) {
      if (!(err instanceof FhirError)) deps.onError(err);
      return errorMessage(err);
    }
    if (subscription.status !== 'active') return serverMessage.error(409, `Subscription/${id} is ${subscription.status}, not active`);
    if (subscription.channel?.type !== 'websocket') return serverMessage.error(409, `Subscription/${id} does not use the websocket channel`);
    if (subscription.end !== undefined && Date.parse(subscription.end) <= deps.clock()) return serverMessage.error(409, `Subscription/${id} ended at ${subscription.end}`);
    try {
      return { criteria: parseCriteria(subscription.criteria), ...(subscription.end !== undefined ? { end: Date.parse(subscription.end) } : {}) };
    } catch (err) {
      return errorMessage(err);
    }
  }

  async function bind(connection: Connection, id: string): Promise<void> {
    const principal = await currentPrincipal(connection);
    if (principal === undefined) return send(connection, serverMessage.error(401, 'Send "bearer <access token>" before binding'));
    if (!connection.bindings.has(id) && connection.bindings.size >= MAX_BINDINGS) return send(connection, serverMessage.error(429, `At most ${MAX_BINDINGS} Subscriptions per connection`));
    const binding = await deliverable(connection, principal, id);
    if (typeof binding === 'string') return send(connection, binding);
    connection.bindings.set(id, binding);
    send(connection, serverMessage.bound(id));
  }

  /** Whether the changed resource matches the criteria for this principal: the criteria's search, restricted to its id. */
  async function matches(connection: Connection, principal: Principal, criteria: SubscriptionCriteria, id: string): Promise<boolean> {
    const query = new URLSearchParams(criteria.query);
    query.append('_id', id);
    query.set('_summary', 'count');
    try {
      const response = await dispatch(ctxOf(connection, principal, discardingAuditSink), request(connection, criteria.resourceType, query));
      return ((response.body as { total?: number } | undefined)?.total ?? 0) > 0;
    } catch (err) {
      // Refused (the role or scopes do not allow the search): nothing this principal may be told.
      if (err instanceof FhirError) return false;
      throw err;
    }
  }

  async function deliver(connection: Connection, changes: readonly CommittedChange[]): Promise<void> {
    if (connection.bindings.size === 0) return;
    const principal = await currentPrincipal(connection);
    if (principal === undefined) return;
    // A change to a bound Subscription (turned off, deleted, criteria edited) is read again first.
    for (const change of changes) {
      if (change.resourceType !== 'Subscription' || !connection.bindings.has(change.id)) continue;
      const binding = await deliverable(connection, principal, change.id);
      if (typeof binding === 'string') {
        connection.bindings.delete(change.id);
        send(connection, serverMessage.unbound(change.id));
      } else connection.bindings.set(change.id, binding);
    }
    for (const [subscriptionId, binding] of connection.bindings) {
      if (binding.end !== undefined && binding.end <= deps.clock()) {
        connection.bindings.delete(subscriptionId);
        send(connection, serverMessage.unbound(subscriptionId));
        continue;
      }
      const candidates = changes.filter((c) => !c.deleted && c.resourceType === binding.criteria.resourceType);
      for (const change of candidates) {
        if (await matches(connection, principal, binding.criteria, change.id)) {
          // One ping per Subscription per transaction: the client searches again anyway.
          send(connection, serverMessage.ping(subscriptionId));
          break;
        }
      }
    }
  }

  return {
    async close() {
      closed = true;
      clearInterval(heartbeat);
      server.off('upgrade', onUpgrade);
      for (const connection of connections) connection.socket.close(1001, 'Server shutting down');
      connections.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      if (stopListening !== undefined) await (await stopListening.catch(() => async () => {}))();
    },
  };
}

function errorMessage(err: unknown, advice?: string): string {
  if (err instanceof FhirError) return serverMessage.error(statusFor(err.category), advice === undefined ? err.message : `${err.message}; ${advice}`);
  // Details of an unexpected failure stay in the server log (the callers' onError), never on the wire.
  return serverMessage.error(500, 'The server could not do this');
}

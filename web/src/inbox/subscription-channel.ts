/**
 * The client side of Heron's websocket channel for FHIR Subscriptions (docs/subscriptions.md):
 * connect, `bearer <token>`, `bind <id>` for each Subscription, then call `onPing` on `ping <id>`.
 * It reconnects after a drop (1 s, doubling to 30 s) and then reports `onResync`, since changes
 * made while it was away were not told. The token is sent again whenever the session has a new
 * one; a token the server no longer accepts stops delivery until then.
 */

/** What the channel needs of a WebSocket (the browser's, or a fake in tests). */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(): void;
}

export type ChannelState = 'connecting' | 'live' | 'offline' | 'signed-out';

export interface SubscriptionChannelDeps {
  url: string;
  /** The session's current token, without refreshing it (an open connection is not user activity). */
  token: () => string | undefined;
  subscriptionIds: readonly string[];
  onPing: (subscriptionId: string) => void;
  /** After a reconnect: the caller refreshes, since changes during the gap were not told. */
  onResync: () => void;
  /** The server will not deliver a Subscription any more (turned off, deleted, ended). */
  onUnbound?: (subscriptionId: string) => void;
  onState?: (state: ChannelState) => void;
  open?: (url: string) => SocketLike;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

export class SubscriptionChannel {
  private socket?: SocketLike;
  private retryMs = FIRST_RETRY_MS;
  private timer: unknown;
  private stopped = false;
  private sentToken?: string;
  private connectedBefore = false;
  private bound = new Set<string>();

  constructor(private readonly deps: SubscriptionChannelDeps) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) (this.deps.clearTimer ?? clearTimeout)(this.timer as ReturnType<typeof setTimeout>);
    this.socket?.close();
    this.socket = undefined;
  }

  /** The session has a (new) token: authenticate with it if the connection is open. */
  tokenChanged(): void {
    const token = this.deps.token();
    if (this.socket === undefined || token === undefined || token === this.sentToken) return;
    this.sentToken = token;
    this.socket.send(`bearer ${token}`);
  }

  private connect(): void {
    if (this.stopped) return;
    this.deps.onState?.('connecting');
    const socket = (this.deps.open ?? ((url) => new WebSocket(url) as unknown as SocketLike))(this.deps.url);
    this.socket = socket;
    this.sentToken = undefined;
    this.bound.clear();
    socket.onopen = () => this.tokenChanged();
    socket.onmessage = (ev) => this.onMessage(typeof ev.data === 'string' ? ev.data : '');
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.stopped) return;
      this.deps.onState?.('offline');
      this.timer = (this.deps.setTimer ?? setTimeout)(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    };
  }

  private onMessage(text: string): void {
    const [verb, argument = ''] = text.split(' ', 2);
    if (verb === 'authenticated') {
      for (const id of this.deps.subscriptionIds) this.socket?.send(`bind ${id}`);
    } else if (verb === 'bound') {
      this.bound.add(argument);
      if (this.bound.size === this.deps.subscriptionIds.length) {
        this.retryMs = FIRST_RETRY_MS;
        this.deps.onState?.('live');
        if (this.connectedBefore) this.deps.onResync();
        this.connectedBefore = true;
      }
    } else if (verb === 'unbound') {
      this.bound.delete(argument);
      this.deps.onUnbound?.(argument);
    } else if (verb === 'ping') {
      this.deps.onPing(argument);
    } else if (verb === 'error' && argument === '401') {
      // The token expired or was ended: wait for the session's next one.
      this.sentToken = undefined;
      this.deps.onState?.('signed-out');
    }
  }
}

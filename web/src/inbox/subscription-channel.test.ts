import { describe, expect, it } from 'vitest';
import { SubscriptionChannel, type SocketLike } from './subscription-channel.ts';

class FakeSocket implements SocketLike {
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  sent: string[] = [];
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.onclose?.({});
  }
  receive(text: string) {
    this.onmessage?.({ data: text });
  }
}

function setup(token = 'tok-1') {
  const sockets: FakeSocket[] = [];
  const timers: Array<() => void> = [];
  const pings: string[] = [];
  const states: string[] = [];
  let resyncs = 0;
  let current: string | undefined = token;
  const channel = new SubscriptionChannel({
    url: 'ws://x/fhir/R4/$websocket',
    token: () => current,
    subscriptionIds: ['s1', 's2'],
    onPing: (id) => pings.push(id),
    onResync: () => resyncs++,
    onState: (s) => states.push(s),
    open: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    setTimer: (fn) => timers.push(fn),
    clearTimer: () => {},
  });
  return { channel, sockets, timers, pings, states, resyncs: () => resyncs, setToken: (t: string | undefined) => (current = t) };
}

describe('the subscription channel', () => {
  it('authenticates, binds every Subscription, and reports pings', () => {
    const { channel, sockets, pings, states } = setup();
    channel.start();
    sockets[0].onopen?.({});
    expect(sockets[0].sent).toEqual(['bearer tok-1']);
    sockets[0].receive('authenticated');
    expect(sockets[0].sent).toEqual(['bearer tok-1', 'bind s1', 'bind s2']);
    sockets[0].receive('bound s1');
    sockets[0].receive('bound s2');
    expect(states.at(-1)).toBe('live');
    sockets[0].receive('ping s2');
    expect(pings).toEqual(['s2']);
  });

  it('reconnects after a drop and asks for a refresh once bound again', () => {
    const { channel, sockets, timers, resyncs } = setup();
    channel.start();
    for (const m of ['authenticated', 'bound s1', 'bound s2']) sockets[0].receive(m);
    expect(resyncs()).toBe(0);
    sockets[0].close();
    expect(timers).toHaveLength(1);
    timers[0]();
    sockets[1].onopen?.({});
    for (const m of ['authenticated', 'bound s1', 'bound s2']) sockets[1].receive(m);
    expect(resyncs()).toBe(1);
  });

  it('sends a new token when the session has one, and none twice', () => {
    const { channel, sockets, setToken, states } = setup();
    channel.start();
    sockets[0].onopen?.({});
    channel.tokenChanged();
    expect(sockets[0].sent).toEqual(['bearer tok-1']);
    sockets[0].receive('error 401 The access token has expired');
    expect(states.at(-1)).toBe('signed-out');
    setToken('tok-2');
    channel.tokenChanged();
    expect(sockets[0].sent.at(-1)).toBe('bearer tok-2');
  });

  it('reports a Subscription the server stopped delivering', () => {
    const unbound: string[] = [];
    const sockets: FakeSocket[] = [];
    const channel = new SubscriptionChannel({ url: 'ws://x', token: () => 't', subscriptionIds: ['s1'], onPing: () => {}, onResync: () => {}, onUnbound: (id) => unbound.push(id), open: () => (sockets.push(new FakeSocket()), sockets.at(-1)!) });
    channel.start();
    sockets[0].receive('unbound s1');
    expect(unbound).toEqual(['s1']);
    channel.stop();
  });

  it('stays closed once stopped', () => {
    const { channel, sockets, timers } = setup();
    channel.start();
    channel.stop();
    expect(timers).toHaveLength(0);
    expect(sockets).toHaveLength(1);
  });
});

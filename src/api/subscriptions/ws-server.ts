/**
 * The `ws` package's server, typed by the small part Heron uses. `ws` ships no types and
 * `@types/ws` is not installed (docs/dependencies.md), so it is loaded through `require` and held to
 * this interface rather than typed as `any` across the module.
 */
import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export interface WsSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping(): void;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'close', listener: () => void): this;
  on(event: 'pong', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
}

export interface WsServer {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, done: (socket: WsSocket) => void): void;
  close(done?: () => void): void;
}

interface WsModule {
  WebSocketServer: new (options: { noServer: true; maxPayload: number }) => WsServer;
  OPEN: number;
}

const ws = createRequire(import.meta.url)('ws') as WsModule;

/** A server that takes upgrades handed to it (it listens on nothing itself). */
export function newWsServer(maxPayload: number): WsServer {
  return new ws.WebSocketServer({ noServer: true, maxPayload });
}

export const WS_OPEN = ws.OPEN;

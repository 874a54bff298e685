// The public API of spec/server-api.md as the tests see it. Both targets are
// reached through these shapes, so a typo in a test is a compile error.
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, Server as HttpServer } from 'node:http';

export type Next = (err?: Error | null) => void;
export type Ack = (...args: unknown[]) => void;

export interface Handshake {
  headers: Record<string, string | string[] | undefined>;
  time: string;
  address: string;
  xdomain: boolean;
  secure: boolean;
  issued: number;
  url: string;
  query: Record<string, string | string[] | undefined>;
  /** The v5 CONNECT payload: iostate only, for 3.x/4.x clients. */
  auth?: Record<string, unknown>;
}

export interface EngineSocketLike extends EventEmitter {
  id: string;
  request: IncomingMessage;
  close(): void;
  transport: { name: string };
}

export interface ClientLike {
  id: string;
  conn: EngineSocketLike;
  request: IncomingMessage;
}

export interface BroadcastOperator {
  to(room: string): BroadcastOperator;
  in(room: string): BroadcastOperator;
  emit(event: string, ...args: unknown[]): unknown;
  clients(cb: (err: Error | null, ids: string[]) => void): unknown;
  readonly volatile: BroadcastOperator;
  readonly local: BroadcastOperator;
  binary(value: boolean): BroadcastOperator;
  compress(value: boolean): BroadcastOperator;
}

export interface AdapterLike {
  rooms: Record<string, { sockets: Record<string, boolean>; length: number }> | Map<string, Set<string>>;
  sids: Record<string, Record<string, boolean>> | Map<string, Set<string>>;
}

export interface SocketLike extends EventEmitter {
  emit(event: string, ...args: unknown[]): any;
  id: string;
  nsp: NamespaceLike;
  rooms: Record<string, string>;
  client: ClientLike;
  conn: EngineSocketLike;
  request: IncomingMessage;
  handshake: Handshake;
  connected: boolean;
  disconnected: boolean;
  use(fn: (packet: unknown[], next: Next) => void): SocketLike;
  send(...args: unknown[]): SocketLike;
  join(rooms: string | string[], cb?: (err?: unknown) => void): SocketLike;
  leave(room: string, cb?: (err?: unknown) => void): SocketLike;
  to(room: string): SocketLike;
  in(room: string): SocketLike;
  compress(value: boolean): SocketLike;
  binary(value: boolean): SocketLike;
  disconnect(close?: boolean): SocketLike;
  readonly broadcast: SocketLike;
  readonly volatile: SocketLike;
}

export interface NamespaceLike extends EventEmitter, BroadcastOperator {
  emit(event: string, ...args: unknown[]): any;
  name: string;
  connected: Record<string, SocketLike>;
  adapter: AdapterLike;
  server: ServerLike;
  use(fn: (socket: SocketLike, next: Next) => void): NamespaceLike;
}

export interface ServerLike extends EventEmitter, BroadcastOperator {
  emit(event: string, ...args: unknown[]): any;
  sockets: NamespaceLike;
  engine: EventEmitter & { generateId: (req: IncomingMessage) => string; clientsCount?: number };
  serveClient(): boolean;
  serveClient(value: boolean): ServerLike;
  path(): string;
  path(value: string): ServerLike;
  adapter(): unknown;
  adapter(value: unknown): ServerLike;
  origins(): unknown;
  origins(value: string | string[] | ((origin: string, cb: (err: string | null, ok: boolean) => void) => void)): ServerLike;
  attach(target: HttpServer | number, options?: Record<string, unknown>): ServerLike;
  listen(target: HttpServer | number, options?: Record<string, unknown>): ServerLike;
  bind(engine: unknown): ServerLike;
  onconnection(conn: unknown): ServerLike;
  of(nsp: string | RegExp | ((name: string, query: Record<string, unknown>, next: (err: Error | null, ok: boolean) => void) => void)): NamespaceLike;
  close(cb?: (err?: Error) => void): void;
  use(fn: (socket: SocketLike, next: Next) => void): ServerLike;
  /** socket.io 0.9's settings, still taken by socket.io 2.x. */
  set(key: string, value: unknown): ServerLike;
}

// socket.io-client 2.x and 4.x behind one interface, so that a scenario is
// written once: the small API differences are absorbed here.
import ioV2 from 'socket.io-client-v2';
import { io as ioV4 } from 'socket.io-client';
import type { Generation } from './target';

export interface ConnectOptions {
  path?: string;
  transports?: Array<'polling' | 'websocket'>;
  /** Query string parameters of the Engine.IO requests (both generations). */
  query?: Record<string, string>;
  /** Credentials: the v5 CONNECT payload for 4.x, carried in the query for 2.x (which has no `auth`). */
  auth?: Record<string, string>;
  extraHeaders?: Record<string, string>;
}

/** How a namespace connection attempt ended, the same shape for both generations. */
export type Outcome =
  | { type: 'connected' }
  /** Refused by the server: unknown namespace or a middleware error (v2: ERROR packet; v4: CONNECT_ERROR). */
  | { type: 'refused'; message?: string; data?: unknown }
  /** The transport could not be opened (refused origin, HTTP error). */
  | { type: 'transport-error'; message: string };

/** An error packet received by a connected socket, normalised the same way. */
export interface ErrorPacket {
  message?: string;
  data?: unknown;
}

export interface ClientKind {
  name: string;
  generation: Generation;
  /** 2.x clients are connected to `/` by the server whatever namespace they ask for. */
  autoJoinsRoot: boolean;
  connect(url: string, nsp: string, options?: ConnectOptions): TestClient;
}

const DEFAULT_WAIT_MS = 3000;

export class TestClient {
  private readonly outcome: Promise<Outcome>;
  private readonly errorPackets: ErrorPacket[] = [];
  private errorWaiters: Array<(e: ErrorPacket) => void> = [];

  constructor(
    readonly kind: ClientKind,
    /** The underlying socket.io-client Socket. */
    readonly raw: any,
  ) {
    this.outcome = new Promise((resolve) => {
      raw.once('connect', () => resolve({ type: 'connected' }));
      raw.once('connect_error', (err: any) => {
        const transportError = kind.generation === 2 || err?.type === 'TransportError';
        resolve(transportError ? { type: 'transport-error', message: String(err?.message ?? err) } : { type: 'refused', message: err.message, data: err.data });
      });
      if (kind.generation === 2) raw.once('error', (payload: unknown) => resolve({ type: 'refused', ...normaliseV2Error(payload) }));
    });
    const onErrorPacket = (packet: ErrorPacket) => {
      const waiter = this.errorWaiters.shift();
      if (waiter) waiter(packet);
      else this.errorPackets.push(packet);
    };
    if (kind.generation === 2) raw.on('error', (payload: unknown) => onErrorPacket(normaliseV2Error(payload)));
    else raw.on('connect_error', (err: any) => err?.type !== 'TransportError' && onErrorPacket({ message: err.message, data: err.data }));
  }

  get id(): string | undefined {
    return this.raw.id;
  }

  get connected(): boolean {
    return this.raw.connected;
  }

  /** The Engine.IO session id, the same on both sides. */
  get engineId(): string {
    return this.raw.io.engine.id;
  }

  /** The heartbeat the server announced in its handshake (engine.io-client 6 keeps it in private fields). */
  heartbeat(): { pingInterval: number; pingTimeout: number } {
    const engine = this.raw.io.engine;
    return { pingInterval: engine.pingInterval ?? engine._pingInterval, pingTimeout: engine.pingTimeout ?? engine._pingTimeout };
  }

  get transportName(): string {
    return this.raw.io.engine.transport.name;
  }

  /** Resolves once the namespace connection attempt has ended, however it ended. */
  settled(timeoutMs = DEFAULT_WAIT_MS): Promise<Outcome> {
    return withTimeout(this.outcome, timeoutMs, `${this.kind.name} client: no connect outcome`);
  }

  async ready(): Promise<this> {
    const outcome = await this.settled();
    if (outcome.type !== 'connected') throw new Error(`${this.kind.name} client did not connect: ${JSON.stringify(outcome)}`);
    return this;
  }

  emit(event: string, ...args: unknown[]): void {
    this.raw.emit(event, ...args);
  }

  send(...args: unknown[]): void {
    this.raw.send(...args);
  }

  on(event: string, listener: (...args: any[]) => void): void {
    this.raw.on(event, listener);
  }

  /** Emits with an acknowledgement callback and resolves with the arguments of the server's answer. */
  ack(event: string, ...args: unknown[]): Promise<unknown[]> {
    const answered = new Promise<unknown[]>((resolve) => this.raw.emit(event, ...args, (...answer: unknown[]) => resolve(answer)));
    return withTimeout(answered, DEFAULT_WAIT_MS, `${this.kind.name} client: no ack for "${event}"`);
  }

  /** The arguments of the next `event`; listen before triggering it. */
  next(event: string, timeoutMs = DEFAULT_WAIT_MS): Promise<any[]> {
    const received = new Promise<any[]>((resolve) => this.raw.once(event, (...args: unknown[]) => resolve(args)));
    return withTimeout(received, timeoutMs, `${this.kind.name} client: no "${event}" event`);
  }

  /** Every `event` from now on, as argument lists. */
  collect(event: string): unknown[][] {
    const received: unknown[][] = [];
    this.raw.on(event, (...args: unknown[]) => received.push(args));
    return received;
  }

  /**
   * Every Engine.IO message the client receives from now on, as the server
   * framed it: text as is, each binary attachment as `<binary N bytes>`.
   */
  collectFrames(): string[] {
    const frames: string[] = [];
    this.raw.io.engine.on('packet', (packet: { type: string; data?: unknown }) => {
      if (packet.type !== 'message') return;
      frames.push(typeof packet.data === 'string' ? packet.data : `<binary ${byteLength(packet.data)} bytes>`);
    });
    return frames;
  }

  /** The next error packet (v2 `error` event, v4 `connect_error` from the server). */
  nextErrorPacket(timeoutMs = DEFAULT_WAIT_MS): Promise<ErrorPacket> {
    const queued = this.errorPackets.shift();
    if (queued) return Promise.resolve(queued);
    const received = new Promise<ErrorPacket>((resolve) => this.errorWaiters.push(resolve));
    return withTimeout(received, timeoutMs, `${this.kind.name} client: no error packet`);
  }

  /** Another namespace over the same Engine.IO connection. */
  sibling(nsp: string, options: Pick<ConnectOptions, 'auth'> = {}): TestClient {
    const socket =
      this.kind.generation === 2
        ? this.raw.io.socket(options.auth ? `${nsp}?${new URLSearchParams(options.auth)}` : nsp)
        : this.raw.io.socket(nsp, { auth: options.auth });
    if (this.kind.generation === 4) socket.connect();
    else socket.open();
    return new TestClient(this.kind, socket);
  }

  /** Leaves the namespace: sends a DISCONNECT packet. */
  disconnect(): void {
    this.raw.disconnect();
  }

  /** Closes the Engine.IO connection without a DISCONNECT packet. */
  dropTransport(): void {
    this.raw.io.engine.close();
  }

  /** Stops all traffic to the server while keeping the TCP connection open (for ping timeouts). */
  freeze(): void {
    const transport = this.raw.io.engine.transport;
    const tcp = transport.ws?._socket;
    if (!tcp) throw new Error('freeze() needs the websocket transport');
    tcp.cork();
    transport.ws.send = () => {};
  }

  /** Releases everything: sockets, manager, engine connection, timers. */
  close(): void {
    this.raw.io.reconnection?.(false);
    this.raw.disconnect();
    this.raw.io.engine?.transport?.ws?._socket?.destroy();
    this.raw.io.engine?.close();
  }
}

function byteLength(data: unknown): number {
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  throw new Error(`not a binary message: ${Object.prototype.toString.call(data)}`);
}

function normaliseV2Error(payload: unknown): ErrorPacket {
  if (typeof payload === 'string') return { message: payload };
  return { data: payload };
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const baseOptions = { forceNew: true, reconnection: false, timeout: DEFAULT_WAIT_MS };

export const clientV2: ClientKind = {
  name: 'socket.io-client 2.x',
  generation: 2,
  autoJoinsRoot: true,
  connect(url, nsp, options = {}) {
    const query = { ...options.query, ...options.auth };
    const socket = ioV2(url + nsp, {
      ...baseOptions,
      path: options.path,
      transports: options.transports,
      query,
      extraHeaders: options.extraHeaders,
    });
    return new TestClient(clientV2, socket);
  },
};

export const clientV4: ClientKind = {
  name: 'socket.io-client 4.x',
  generation: 4,
  autoJoinsRoot: false,
  connect(url, nsp, options = {}) {
    const socket = ioV4(url + nsp, {
      ...baseOptions,
      path: options.path,
      transports: options.transports,
      query: options.query,
      auth: options.auth,
      extraHeaders: options.extraHeaders,
    });
    return new TestClient(clientV4, socket);
  },
};

export const allClients: ClientKind[] = [clientV2, clientV4];

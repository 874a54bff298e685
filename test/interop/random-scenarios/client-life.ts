// One connection of a scenario's client: a socket.io-client 2.x or 4.x
// Manager (one Engine.IO session) and its namespace sockets, recording in one
// list, in the order the client saw them, everything its sockets got:
// connects, errors (a 4.x client's connect_error with its message and data),
// disconnects with reasons, events with arguments, answers to acks.
import ioV2 from 'socket.io-client-v2';
import { io as ioV4 } from 'socket.io-client';
import { withTimeout } from '../harness/clients';
import { plain } from '../harness/match-reference';
import { inNamespaceOrder, type TransportChoice } from './steps';

const WAIT_MS = 5000;

const TRANSPORTS: Record<TransportChoice, string[]> = {
  websocket: ['websocket'],
  polling: ['polling', 'websocket'],
  'polling-only': ['polling'],
};

/** socket.io-client 2.x (Engine.IO v3, Socket.IO v4) or 4.x (Engine.IO v4, Socket.IO v5). */
export type ClientGeneration = 2 | 4;

export class ClientLife {
  readonly log: unknown[] = [];
  private readonly manager: any;
  private readonly sockets = new Map<string, any>();

  constructor(
    /** `c0.1`: client 0's second connection; sent in the query, the server labels its sockets with it. */
    readonly name: string,
    readonly transport: TransportChoice,
    url: string,
    private readonly generation: ClientGeneration = 2,
  ) {
    const root = (generation === 2 ? ioV2 : ioV4)(`${url}/`, {
      forceNew: true,
      reconnection: false,
      timeout: WAIT_MS,
      transports: TRANSPORTS[transport],
      query: { name },
    });
    this.manager = root.io;
    this.watch('/', root);
  }

  /** Resolves when `/` has connected or failed. */
  rootSettled(): Promise<void> {
    return this.outcome(this.sockets.get('/'));
  }

  /** The namespace socket, if it is connected as the client sees it. */
  connected(nsp: string): any {
    const socket = this.sockets.get(nsp);
    return socket?.connected ? socket : undefined;
  }

  /** The namespaces whose socket is connected as the client sees it, in SOCKET_NSPS order. */
  connectedNsps(): string[] {
    return inNamespaceOrder([...this.sockets.entries()].filter(([, socket]) => socket.connected).map(([nsp]) => nsp));
  }

  /**
   * Connects `nsp` over this connection (again, if it was disconnected) and
   * waits for the outcome. A 2.x client can only while `/` is connected:
   * socket.io 2.5.1 holds a namespace CONNECT back until `/` connects.
   */
  async openNamespace(nsp: string): Promise<'opened' | 'skipped'> {
    if (!this.connected('/') || this.connected(nsp)) return 'skipped';
    const existing = this.sockets.get(nsp);
    if (existing) {
      const settled = this.outcome(existing);
      existing.open();
      await settled;
      return 'opened';
    }
    const socket = this.manager.socket(nsp);
    this.watch(nsp, socket);
    await this.outcome(socket);
    return 'opened';
  }

  /** Whether its Engine.IO connection has closed, as the client sees it. */
  get closed(): boolean {
    return (this.generation === 2 ? this.manager.readyState : this.manager._readyState) === 'closed';
  }

  /** Closes the Engine.IO connection without DISCONNECT packets. */
  drop(): void {
    this.manager.engine?.close();
  }

  /**
   * One round trip on every socket connected as the client sees it: resolves
   * once each has its ack, or is disconnected meanwhile. Whatever the server
   * wrote to this connection before answering has arrived by then, and
   * whatever the client sent before has been handled.
   */
  async roundTrip(): Promise<void> {
    const trips = [...this.sockets.entries()]
      .filter(([, socket]) => socket.connected)
      .map(([nsp, socket]) => {
        const answered = new Promise<void>((resolve) => {
          const done = () => {
            socket.off('disconnect', done);
            resolve();
          };
          socket.on('disconnect', done);
          socket.emit('__ping', done);
        });
        return withTimeout(answered, WAIT_MS, `${this.name}${nsp}: no answer to a round trip`);
      });
    await Promise.all(trips);
  }

  close(): void {
    this.manager.reconnection(false);
    for (const socket of this.sockets.values()) socket.close();
    this.manager.engine?.transport?.ws?._socket?.destroy();
    this.manager.engine?.close();
  }

  private watch(nsp: string, socket: any): void {
    this.sockets.set(nsp, socket);
    const onevent = socket.onevent;
    socket.onevent = (packet: { data?: unknown[] }) => {
      this.log.push([nsp, 'event', ...(packet.data ?? []).map(plain)]);
      onevent.call(socket, packet);
    };
    socket.on('connect', () => this.log.push([nsp, 'connect']));
    socket.on('disconnect', (reason: string) => this.log.push([nsp, 'disconnect', reason]));
    socket.on('error', (data: unknown) => this.log.push([nsp, 'error', plain(data)]));
    if (this.generation === 4)
      socket.on('connect_error', (err: Error & { data?: unknown }) => this.log.push([nsp, 'connect_error', err.message, plain(err.data)]));
    socket.on('ask', (payload: unknown, ack: (...answer: unknown[]) => void) => ack('answer', payload, nsp));
  }

  private outcome(socket: any): Promise<void> {
    const endings = ['connect', 'error', 'connect_error'];
    const settled = new Promise<void>((resolve) => {
      const done = () => {
        for (const event of endings) socket.off(event, done);
        resolve();
      };
      for (const event of endings) socket.on(event, done);
    });
    return withTimeout(settled, WAIT_MS, `${this.name}: no connect outcome`);
  }

  /** Emits with an ack; the answer goes into the log when it comes. */
  emitWithAck(nsp: string, args: unknown[]): void {
    this.sockets.get(nsp).emit('echo', ...args, (...answer: unknown[]) => this.log.push([nsp, 'ack', ...answer.map(plain)]));
  }
}

// Plays a random scenario on one server and returns its transcript: what
// each client connection got, in order, and what the app saw. After every
// step the scenario waits for quiescence with two round trips on every
// connected socket (the first proves the server handled what clients sent,
// and so sent what that made it send; the second that those sends arrived),
// never with a sleep.
import { onCleanup, runCleanups } from '../harness/fixture';
import { withTimeout } from '../harness/clients';
import { plain } from '../harness/match-reference';
import { referenceFor, startSide, type Side } from '../harness/differential';
import { ClientLife, type ClientGeneration } from './client-life';
import { ServerApp } from './server-app';
import {
  hasBytes,
  toWire,
  type BroadcastFrom,
  type Flags,
  type Payload,
  type RoomTarget,
  type Scenario,
  type SocketRef,
  type Step,
  type BurstStep,
} from './steps';

const WAIT_MS = 5000;

export interface Transcript {
  clients: Record<string, unknown[]>;
  app: { perSocket: Record<string, unknown[]>; observations: unknown[] };
}

type Outcome = 'done' | 'skipped';

/**
 * The scenario on the reference for these clients (socket.io 2.5.1 for 2.x
 * clients, socket.io 4.8 for 4.x ones), then on iostate's 2.x face; both
 * servers are closed before it returns.
 */
export async function playOnBoth(scenario: Scenario, generation: ClientGeneration = 2): Promise<{ ours: Transcript; theirs: Transcript }> {
  try {
    const theirs = await runScenario(await startSide(referenceFor(generation === 2 ? 3 : 4)), scenario, generation);
    const ours = await runScenario(await startSide('iostate'), scenario, generation);
    return { ours, theirs };
  } finally {
    await runCleanups();
  }
}

/** Plays `scenario` on `side` with socket.io-client 2.x clients, or 4.x ones. */
export async function runScenario(side: Side, scenario: Scenario, generation: ClientGeneration = 2): Promise<Transcript> {
  return new ScenarioRun(side, scenario, generation).play();
}

class ScenarioRun {
  private readonly app: ServerApp;
  private readonly lives: ClientLife[] = [];
  private readonly current: ClientLife[] = [];

  constructor(
    private readonly side: Side,
    private readonly scenario: Scenario,
    private readonly generation: ClientGeneration,
  ) {
    this.app = new ServerApp(side.io, side.name);
    onCleanup(() => {
      for (const life of this.lives) life.close();
    });
  }

  async play(): Promise<Transcript> {
    for (let c = 0; c < this.scenario.clients.length; c++) await this.connect(c);
    await this.settle();
    for (const [index, step] of this.scenario.steps.entries()) {
      if ((await this.perform(index, step)) === 'skipped') this.app.observe(index, 'skipped');
      await this.settle();
    }
    this.app.observe('end', this.app.adapterRooms(this.side.io.of('/').adapter), this.app.adapterRooms(this.side.io.of('/a').adapter));
    // A copy: closing the server after the run adds to the app's records.
    return structuredClone({
      clients: Object.fromEntries(this.lives.map((life) => [life.name, this.deterministicPart(life)])),
      app: { perSocket: this.app.perSocket, observations: this.app.observations },
    });
  }

  /**
   * Whether a volatile message goes out depends on the transport being
   * writable at that instant: right after a round trip a WebSocket is, a
   * polling transport (or one upgrading) may or may not have its next GET
   * yet. So volatile messages count for WebSocket-only clients alone.
   */
  private deterministicPart(life: ClientLife): unknown[] {
    if (life.transport === 'websocket') return life.log;
    return life.log.filter((entry) => !(Array.isArray(entry) && entry[1] === 'event' && entry[2] === 'vol'));
  }

  private async connect(c: number): Promise<void> {
    const spec = this.scenario.clients[c];
    const life = new ClientLife(`c${c}.${this.lives.filter((l) => l.name.startsWith(`c${c}.`)).length}`, spec.transport, this.side.url, this.generation);
    this.lives.push(life);
    this.current[c] = life;
    await life.rootSettled();
    // A round trip first: `/` may have been disconnected by its 'connection' handler.
    await life.roundTrip();
    for (const nsp of spec.opens) await life.openNamespace(nsp);
  }

  private async settle(): Promise<void> {
    // socket.io 4 closes a connection that sends to a namespace it has no
    // socket for, such as a round trip racing the server's DISCONNECT, where
    // iostate ignores the packet (docs/differences.md): a 4.x client's round
    // trips wait until it sees the namespaces the server has.
    if (this.generation === 4) {
      for (const life of this.lives) {
        const agree = () => life.connectedNsps().join() === this.app.connectedNsps(life.name).join();
        await waitFor(agree, `${life.name}: the client and the server disagree on its namespaces`);
      }
    }
    for (let round = 0; round < 2; round++) await Promise.all(this.lives.map((life) => life.roundTrip()));
  }

  private client(c: number): number {
    return c % this.scenario.clients.length;
  }

  private life(ref: { c: number }): ClientLife {
    return this.current[this.client(ref.c)];
  }

  /** The namespace of the socket `ref` names among `nsps`, the connected ones as one side sees them. */
  private pick(ref: SocketRef, nsps: string[]): string | undefined {
    return nsps.length === 0 ? undefined : nsps[ref.k % nsps.length];
  }

  private serverSocket(ref: SocketRef): any {
    const life = this.life(ref).name;
    const nsp = this.pick(ref, this.app.connectedNsps(life));
    return nsp === undefined ? undefined : this.app.socket(`${life}${nsp}`);
  }

  /** The client's socket `ref` names, with its namespace. */
  private clientSocket(ref: SocketRef): { nsp: string; socket: any } | undefined {
    const life = this.life(ref);
    const nsp = this.pick(ref, life.connectedNsps());
    return nsp === undefined ? undefined : { nsp, socket: life.connected(nsp) };
  }

  private async perform(index: number, step: Step): Promise<Outcome> {
    switch (step.t) {
      case 'reconnect': {
        const c = this.client(step.c);
        await this.dropLife(this.current[c]);
        await this.connect(c);
        return 'done';
      }
      case 'open':
        return (await this.current[this.client(step.c)].openNamespace(step.nsp)) === 'skipped' ? 'skipped' : 'done';
      case 'clientEmit':
        return this.fromClient(step.s, (socket) => (step.send ? socket.send(...step.args.map(toWire)) : socket.emit('msg', ...step.args.map(toWire))));
      case 'clientEmitAck': {
        const chosen = this.clientSocket(step.s);
        if (!chosen) return 'skipped';
        this.life(step.s).emitWithAck(chosen.nsp, step.args.map(toWire));
        return 'done';
      }
      case 'clientRelay':
        return this.fromClient(step.s, (socket) => socket.emit('relay', step.room));
      case 'clientLeave': {
        const chosen = this.clientSocket(step.s);
        if (!chosen) return 'skipped';
        chosen.socket.disconnect();
        const label = `${this.life(step.s).name}${chosen.nsp}`;
        await waitFor(() => !this.app.socket(label), `${label}: still connected on the server after the client left`);
        return 'done';
      }
      case 'clientDrop':
        await this.dropLife(this.current[this.client(step.c)]);
        return 'done';
      case 'join':
      case 'leave':
        return step.peek ? this.now(index, step) : this.roomChange(step);
      case 'broadcast':
      case 'socketBroadcast':
      case 'socketEmit':
      case 'ask':
        return this.now(index, step);
      case 'kick': {
        const outcome = this.now(index, step);
        const life = this.life(step.s);
        // The round trips see the DISCONNECT packets; the close of the connection comes after them.
        if (outcome === 'done' && step.close) await waitFor(() => life.closed, `${life.name}: connection still open after disconnect(true)`);
        return outcome;
      }
      case 'burst':
        this.burst(index, step.steps);
        return 'done';
      case 'refuse':
        if (step.on) this.app.refused.add(this.client(step.c));
        else this.app.refused.delete(this.client(step.c));
        return 'done';
      case 'kickOnConnection':
        if (step.on) this.app.kickedOnConnection.add(this.client(step.c));
        else this.app.kickedOnConnection.delete(this.client(step.c));
        return 'done';
      case 'refuseMessages':
        this.app.refuseMessages = step.on;
        return 'done';
      case 'announceLeaving':
        this.app.announceLeaving = step.on;
        return 'done';
      case 'roomOnConnection':
        this.app.roomOnConnection = step.room;
        return 'done';
      case 'clients': {
        const from = this.namespace(step.from);
        if (!from) return 'skipped';
        const listed = this.app.clients(this.addressed(from, step.rooms, 'in'));
        this.app.observe(index, 'clients', await withTimeout(listed, WAIT_MS, 'clients(cb) did not call back'));
        return 'done';
      }
      case 'adapterRooms': {
        const from = this.namespace(step.from);
        if (!from) return 'skipped';
        this.app.observe(index, 'adapter.rooms', this.app.adapterRooms(from.adapter));
        return 'done';
      }
      case 'socketRooms':
        return this.fromServer(step.s, (socket) => this.app.observe(index, 'socket.rooms', this.app.roomsOf(socket)));
      case 'connectedList': {
        const from = this.namespace(step.from);
        if (!from) return 'skipped';
        this.app.observe(index, 'connected', this.app.connectedOf(from));
        return 'done';
      }
    }
  }

  /**
   * Several app actions in one tick. A join of a room the same socket left
   * earlier in that tick is left out: socket.io 2.5.1 drops it, since its
   * socket.rooms still shows the room until the next tick, where iostate
   * joins (docs/differences.md).
   */
  private burst(index: number, steps: BurstStep[]): void {
    const left = new Set<string>();
    for (const [at, inner] of steps.entries()) {
      const socket = inner.t === 'join' || inner.t === 'leave' ? this.serverSocket(inner.s) : undefined;
      if (socket && inner.t === 'leave') left.add(`${socket.id}\0${this.rooms(inner)}`);
      if (socket && inner.t === 'join' && [this.rooms(inner)].flat().some((room) => left.has(`${socket.id}\0${room}`))) {
        this.app.observe(index, at, 'join after a leave of that room, left out');
        continue;
      }
      if (this.now(index, inner) === 'skipped') this.app.observe(index, at, 'skipped');
    }
  }

  /** An app action that takes effect at once (join and leave without a callback, and the rooms read right after). */
  private now(index: number, step: BurstStep): Outcome {
    switch (step.t) {
      case 'join':
      case 'leave': {
        const socket = this.serverSocket(step.s);
        if (!socket) return 'skipped';
        if (this.senderRoomChange(socket, step)) return 'skipped';
        socket[step.t](this.rooms(step));
        this.app.observe(index, `${step.t} at once`, this.app.roomsAtOnce(socket), this.app.adapterRooms(socket.adapter));
        return 'done';
      }
      case 'broadcast': {
        const from = this.namespace(step.from);
        if (!from) return 'skipped';
        this.emitWith(this.addressed(from, step.rooms, step.via), step.flags, step.payload);
        return 'done';
      }
      case 'socketBroadcast':
        return this.fromServer(step.s, (socket) => {
          const target = step.rooms.length === 0 ? socket.broadcast : this.addressed(socket, step.rooms, step.via);
          this.emitWith(target, step.flags, step.payload);
        });
      case 'socketEmit':
        return this.fromServer(step.s, (socket) => this.emitWith(socket, step.flags, step.payload, step.send));
      case 'ask':
        return this.fromServer(step.s, (socket) =>
          socket.emit('ask', toWire(step.payload), (...answer: unknown[]) => this.app.note(socket, 'answered', ...answer.map(plain))),
        );
      case 'kick':
        return this.fromServer(step.s, (socket) => socket.disconnect(step.close));
    }
  }

  private async dropLife(life: ClientLife): Promise<void> {
    life.drop();
    await waitFor(() => this.app.allGone(life.name), `${life.name}: sockets still connected on the server after the client dropped its connection`);
  }

  private rooms(step: Extract<Step, { t: 'join' | 'leave' }>): string | string[] {
    if (step.t === 'leave') {
      const { room } = step;
      return typeof room === 'object' && 'joined' in room ? this.joinedRoom(this.serverSocket(step.s), room.joined) : this.room(room);
    }
    return Array.isArray(step.rooms) ? step.rooms.map((room) => this.room(room)) : this.room(step.rooms);
  }

  /** join or leave with a callback, and what the socket is in once it is called. */
  private async roomChange(step: Extract<Step, { t: 'join' | 'leave' }>): Promise<Outcome> {
    const socket = this.serverSocket(step.s);
    if (!socket) return 'skipped';
    if (this.senderRoomChange(socket, step)) return 'skipped';
    const rooms = this.rooms(step);
    const err = await withTimeout(this.app.joinOrLeave(socket, step.t, rooms), WAIT_MS, `${step.t}(${JSON.stringify(rooms)}) did not call back`);
    const named = Array.isArray(rooms) ? rooms.map((room) => this.app.name(room)) : this.app.name(rooms);
    this.app.note(socket, step.t, named, err ?? null, this.app.roomsOf(socket));
    return 'done';
  }

  /**
   * With 4.x clients, a leave of a socket's own room or a join of a room
   * named after another socket is left out: socket.io 4 leaves the sender of
   * `socket.broadcast`/`socket.to` out by its own room, iostate's 2.x face
   * leaves out that socket alone, as 2.5.1 does (docs/differences.md).
   */
  private senderRoomChange(socket: any, step: Extract<Step, { t: 'join' | 'leave' }>): boolean {
    if (this.generation !== 4) return false;
    const rooms = [this.rooms(step)].flat();
    const ids = new Set(this.app.seenIds());
    return step.t === 'leave' ? rooms.includes(socket.id) : rooms.some((room) => room !== socket.id && ids.has(room));
  }

  /** A room's name: a socket's own room is its id (a room nobody is in when it has none). */
  private room(target: RoomTarget): string {
    if (typeof target === 'string') return target;
    return this.serverSocket(target.id)?.id ?? 'nobody';
  }

  /** The k-th of the rooms a socket is in, by label or name, as its adapter has them (at once on both servers). */
  private joinedRoom(socket: any, k: number): string {
    const rooms = this.app
      .adapterRoomsOf(socket)
      // With 4.x clients a socket keeps its own room (see senderRoomChange): pick among the others.
      .filter((room) => this.generation !== 4 || room !== socket.id)
      .sort((a, b) => this.app.name(a).localeCompare(this.app.name(b)));
    return rooms.length === 0 ? 'nobody' : rooms[k % rooms.length];
  }

  /** `target.to(room)` (or `in`) for each room. */
  private addressed(target: any, rooms: RoomTarget[], via: 'to' | 'in'): any {
    return rooms.reduce((addressed, room) => addressed[via](this.room(room)), target);
  }

  private namespace(from: BroadcastFrom): any {
    const io = this.side.io as any;
    if (from === 'io') return io;
    if (from === 'io.sockets') return io.sockets;
    if (from === '/a') return io.of('/a');
    if (from === 'dyn-parent') return this.app.dynamicParent;
    return this.serverSocket(from)?.nsp;
  }

  /**
   * Emits `payload` with `flags`. `binary(true)` goes only with bytes:
   * on data without any, socket.io 2.5.1 sends a packet its own client
   * cannot read (docs/differences.md).
   */
  private emitWith(target: any, flags: Flags, payload: Payload, send = false): void {
    let flagged = target;
    if (flags.volatile) flagged = flagged.volatile;
    if (flags.binary !== undefined && (flags.binary === false || hasBytes(payload))) flagged = flagged.binary(flags.binary);
    if (flags.compress !== undefined) flagged = flagged.compress(flags.compress);
    if (send && !flags.volatile) flagged.send(toWire(payload));
    else flagged.emit(flags.volatile ? 'vol' : 'm', toWire(payload));
  }

  private fromClient(ref: SocketRef, act: (socket: any) => void): Outcome {
    const chosen = this.clientSocket(ref);
    if (!chosen) return 'skipped';
    act(chosen.socket);
    return 'done';
  }

  private fromServer(ref: SocketRef, act: (socket: any) => void): Outcome {
    const socket = this.serverSocket(ref);
    if (!socket) return 'skipped';
    act(socket);
    return 'done';
  }
}

/** Polls `condition` until it holds; fails after a few seconds and stops polling then. */
async function waitFor(condition: () => boolean, message: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

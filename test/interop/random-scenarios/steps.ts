// What a random scenario is made of, and the fast-check arbitraries that
// make one: a few socket.io-client 2.x clients, the namespaces each opens
// first, and a list of steps, each an action of one client or of the app.
// A step names a client by index (taken modulo the number of clients) and
// a socket as the k-th (modulo their number) of that client's sockets
// connected at that point, as the acting side sees them (the server for app
// actions, the client for client actions); with none, the step is recorded
// as skipped.
import fc from 'fast-check';

/** Namespaces a client can be connected to: `/`, a static one with an async middleware, two children of a RegExp parent, a child of a function parent. */
export const SOCKET_NSPS = ['/', '/a', '/dyn-1', '/dyn-2', '/fn'] as const;
/** What a client may ask to open beside `/`: the above and one no parent accepts. */
export const OPENABLE_NSPS = ['/a', '/dyn-1', '/dyn-2', '/fn', '/nope'] as const;
/** Two rooms, and the empty name, which is a room like any other in socket.io 2.5.1. */
export const ROOMS = ['r1', 'r2', ''] as const;

export type Room = (typeof ROOMS)[number];
/** WebSocket only; polling, then upgrading to WebSocket; polling only. */
export type TransportChoice = 'websocket' | 'polling' | 'polling-only';

/** An event argument: JSON, or bytes (sent as a Buffer). */
export type Payload = unknown;
export interface Bytes {
  $bytes: number[];
}

export interface Flags {
  volatile?: boolean;
  binary?: boolean;
  compress?: boolean;
}

export interface SocketRef {
  c: number;
  k: number;
}

/** A room by name, or the own room of a socket (its id), as an app addresses one socket. */
export type RoomTarget = Room | { id: SocketRef };

/** Who broadcasts: the server (`io`), a namespace, the RegExp parent (to all its children), or the namespace of a socket. */
export type BroadcastFrom = 'io' | 'io.sockets' | '/a' | 'dyn-parent' | SocketRef;

/** App actions that take effect at once: a burst runs several in one tick, with no wait between them. */
export type BurstStep = Extract<Step, { t: 'join' | 'leave' | 'broadcast' | 'socketBroadcast' | 'socketEmit' | 'ask' | 'kick' }>;

export type Step =
  // Client actions.
  | { t: 'reconnect'; c: number }
  | { t: 'open'; c: number; nsp: (typeof OPENABLE_NSPS)[number] }
  | { t: 'clientEmit'; s: SocketRef; args: Payload[]; send: boolean }
  | { t: 'clientEmitAck'; s: SocketRef; args: Payload[] }
  | { t: 'clientRelay'; s: SocketRef; room: Room | null }
  | { t: 'clientLeave'; s: SocketRef }
  | { t: 'clientDrop'; c: number }
  // App actions.
  | { t: 'join'; s: SocketRef; rooms: RoomTarget | RoomTarget[]; peek: boolean }
  /** `joined`: the k-th (modulo their number) of the rooms the socket is in, by name, its own included. */
  | { t: 'leave'; s: SocketRef; room: RoomTarget | { joined: number }; peek: boolean }
  | { t: 'broadcast'; from: BroadcastFrom; rooms: RoomTarget[]; via: 'to' | 'in'; flags: Flags; payload: Payload }
  | { t: 'socketBroadcast'; s: SocketRef; rooms: RoomTarget[]; via: 'to' | 'in'; flags: Flags; payload: Payload }
  | { t: 'socketEmit'; s: SocketRef; flags: Flags; payload: Payload; send: boolean }
  | { t: 'ask'; s: SocketRef; payload: Payload }
  | { t: 'kick'; s: SocketRef; close: boolean }
  | { t: 'refuse'; c: number; on: boolean }
  | { t: 'kickOnConnection'; c: number; on: boolean }
  | { t: 'roomOnConnection'; room: Room | null }
  | { t: 'announceLeaving'; on: boolean }
  | { t: 'refuseMessages'; on: boolean }
  | { t: 'burst'; steps: BurstStep[] }
  // App observations.
  | { t: 'clients'; from: Exclude<BroadcastFrom, 'dyn-parent'>; rooms: RoomTarget[] }
  | { t: 'adapterRooms'; from: Exclude<BroadcastFrom, 'io' | 'dyn-parent'> }
  | { t: 'socketRooms'; s: SocketRef }
  | { t: 'connectedList'; from: Exclude<BroadcastFrom, 'io' | 'dyn-parent'> };

export interface ClientSpec {
  transport: TransportChoice;
  /** Namespaces opened after `/`, before the steps. */
  opens: Array<(typeof OPENABLE_NSPS)[number]>;
}

export interface Scenario {
  clients: ClientSpec[];
  steps: Step[];
}

const client = fc.nat({ max: 3 });
const socketRef: fc.Arbitrary<SocketRef> = fc.record({ c: client, k: fc.nat({ max: 4 }) });
const room = fc.oneof({ weight: 6, arbitrary: fc.constantFrom<Room>('r1', 'r2') }, { weight: 1, arbitrary: fc.constant<Room>('') });
const roomTarget: fc.Arbitrary<RoomTarget> = fc.oneof({ weight: 4, arbitrary: room }, { weight: 1, arbitrary: fc.record({ id: socketRef }) });
const bytes: fc.Arbitrary<Bytes> = fc.uint8Array({ maxLength: 6 }).map((array) => ({ $bytes: [...array] }));
const payload: fc.Arbitrary<Payload> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  // Any code unit, lone surrogates included.
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1, stringUnit: 'binary' }) },
  { weight: 1, arbitrary: bytes },
  // Long enough to fill polling payloads and WebSocket frames past a few KB.
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1000, maxLength: 5000 }) },
  { weight: 1, arbitrary: fc.tuple(fc.string(), bytes).map(([label, data]) => ({ label, data: [data, { nested: data }] })) },
);
const args = fc.array(payload, { maxLength: 3 });
const flags: fc.Arbitrary<Flags> = fc.record({ volatile: fc.boolean(), binary: fc.boolean(), compress: fc.boolean() }, { requiredKeys: [] });
const broadcastFrom: fc.Arbitrary<BroadcastFrom> = fc.oneof(fc.constantFrom('io', 'io.sockets', '/a', 'dyn-parent'), socketRef);
const namespaceFrom = fc.oneof(fc.constantFrom('io.sockets' as const, '/a' as const), socketRef);
const rooms = fc.array(roomTarget, { maxLength: 2 });
const via = fc.constantFrom<'to' | 'in'>('to', 'in');

const joinStep = (peek: fc.Arbitrary<boolean>) => fc.record({ t: fc.constant('join' as const), s: socketRef, rooms: fc.oneof(roomTarget, rooms), peek });
const leaveStep = (peek: fc.Arbitrary<boolean>) =>
  fc.record({
    t: fc.constant('leave' as const),
    s: socketRef,
    room: fc.oneof({ weight: 1, arbitrary: roomTarget }, { weight: 3, arbitrary: fc.record({ joined: fc.nat({ max: 3 }) }) }),
    peek,
  });
const broadcastStep = fc.record({ t: fc.constant('broadcast' as const), from: broadcastFrom, rooms, via, flags, payload });
const socketBroadcastStep = fc.record({ t: fc.constant('socketBroadcast' as const), s: socketRef, rooms, via, flags, payload });
const socketEmitStep = fc.record({ t: fc.constant('socketEmit' as const), s: socketRef, flags, payload, send: fc.boolean() });
const askStep = fc.record({ t: fc.constant('ask' as const), s: socketRef, payload });
const kickStep = (close: fc.Arbitrary<boolean>) => fc.record({ t: fc.constant('kick' as const), s: socketRef, close });
const burstStep: fc.Arbitrary<BurstStep> = fc.oneof(
  joinStep(fc.constant(true)),
  leaveStep(fc.constant(true)),
  broadcastStep,
  socketBroadcastStep,
  socketEmitStep,
  askStep,
  kickStep(fc.constant(false)),
);

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reconnect' as const), c: client }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('open' as const), c: client, nsp: fc.constantFrom(...OPENABLE_NSPS) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('clientEmit' as const), s: socketRef, args, send: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('clientEmitAck' as const), s: socketRef, args }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('clientRelay' as const), s: socketRef, room: fc.option(room) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('clientLeave' as const), s: socketRef }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('clientDrop' as const), c: client }) },
  { weight: 6, arbitrary: joinStep(fc.boolean()) },
  { weight: 2, arbitrary: leaveStep(fc.boolean()) },
  { weight: 4, arbitrary: broadcastStep },
  { weight: 4, arbitrary: socketBroadcastStep },
  { weight: 2, arbitrary: socketEmitStep },
  { weight: 2, arbitrary: askStep },
  { weight: 1, arbitrary: kickStep(fc.boolean()) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('burst' as const), steps: fc.array(burstStep, { minLength: 2, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('refuse' as const), c: client, on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('kickOnConnection' as const), c: client, on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('roomOnConnection' as const), room: fc.option(room) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('announceLeaving' as const), on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('refuseMessages' as const), on: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('clients' as const), from: fc.oneof(fc.constant('io' as const), namespaceFrom), rooms }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('adapterRooms' as const), from: namespaceFrom }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('socketRooms' as const), s: socketRef }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('connectedList' as const), from: namespaceFrom }) },
);

export const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  clients: fc.array(
    fc.record({
      transport: fc.constantFrom<TransportChoice>('websocket', 'polling', 'polling-only'),
      opens: fc.uniqueArray(fc.constantFrom(...OPENABLE_NSPS), { maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  steps: fc.array(step, { minLength: 1, maxLength: 30, size: 'max' }),
});

export function isBytes(value: unknown): value is Bytes {
  return typeof value === 'object' && value !== null && Array.isArray((value as Bytes).$bytes);
}

/** Whether a payload holds bytes anywhere. */
export function hasBytes(value: Payload): boolean {
  if (isBytes(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some(hasBytes);
}

/** The value to emit: bytes (anywhere in it) become Buffers. */
export function toWire(value: Payload): unknown {
  if (isBytes(value)) return Buffer.from(value.$bytes);
  if (Array.isArray(value)) return value.map(toWire);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toWire(item)]));
  return value;
}

/** Namespace names in SOCKET_NSPS order, so that both sides number a client's sockets alike. */
export function inNamespaceOrder(nsps: string[]): string[] {
  const rank = (nsp: string) => (SOCKET_NSPS as readonly string[]).indexOf(nsp);
  return [...nsps].sort((a, b) => rank(a) - rank(b));
}

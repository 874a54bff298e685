// The scenarios of the random differential test of the v4 face: a few
// socket.io-client 4.x clients on `/`, `/chat` and children of a dynamic
// namespace, and the actions an app and its clients take. A scenario is plain
// data, so fast-check can shrink it and a counterexample reads as a list.
import fc from 'fast-check';

export const NAMESPACES = ['/', '/chat', '/dyn-1', '/dyn-2'] as const;
export type NamespaceName = (typeof NAMESPACES)[number];
export const ROOMS = ['a', 'b', 'c'] as const;
export type Room = (typeof ROOMS)[number];
export type Rooms = Room | Room[];

export interface ClientPlan {
  nsp: NamespaceName;
  /** websocket only, or polling first and then the upgrade. */
  transport: 'websocket' | 'polling';
  /** The namespace's middleware refuses it, with `err.data`. */
  refused: boolean;
  /**
   * Opens its namespace on the connection (Manager) of an earlier client,
   * `shares` modulo its index, when that connection has not this namespace
   * yet; its own `transport` is then unused.
   */
  shares?: number;
}

/**
 * Where a server-side emit or many-socket operation starts: a namespace, a
 * child of the dynamic namespace (`io.of('/dyn-1')`, which creates it through
 * its parent when no client made it yet), or the dynamic namespace's parent.
 */
export type Origin = NamespaceOrigin | 'dyn-parent';
export type NamespaceOrigin = '/' | '/chat' | '/dyn-1';
/** Rooms by name, or a client's own room (its socket id; a made-up id when it has no socket). */
export type Selector = { op: 'to' | 'in' | 'except'; rooms: Rooms } | { op: 'to' | 'except'; client: number };

export type Action =
  | { type: 'join'; client: number; rooms: Rooms }
  | { type: 'leave'; client: number; room: Room }
  | { type: 'emit'; origin: Origin; chain: Selector[]; local: boolean; volatile: boolean; binary: boolean }
  | { type: 'direct'; client: number; binary: boolean }
  | { type: 'socket-emit'; client: number; via: 'to' | 'except' | 'broadcast'; rooms: Rooms }
  | { type: 'broadcast-ack'; origin: NamespaceOrigin; chain: Selector[]; answering: number[]; promise: boolean }
  | { type: 'socket-ack'; client: number; answers: boolean; promise: boolean }
  /** A client's emit with an ack, of an event the server listens to or not. */
  | { type: 'client-ack'; client: number; heard: boolean }
  | { type: 'set-data'; client: number; value: number }
  | { type: 'fetch'; origin: NamespaceOrigin; chain: Selector[] }
  | { type: 'remote'; origin: NamespaceOrigin; chain: Selector[]; op: 'join' | 'leave' | 'disconnect'; room: Room; close: boolean }
  | { type: 'many'; origin: NamespaceOrigin; chain: Selector[]; op: 'socketsJoin' | 'socketsLeave' | 'disconnectSockets'; rooms: Rooms; close: boolean }
  | { type: 'server-disconnect'; client: number; close: boolean }
  | { type: 'client-disconnect'; client: number }
  | { type: 'client-reconnect'; client: number }
  | { type: 'cut'; client: number; whileAway: Array<{ to: Rooms | 'self' | 'all'; except?: Room; binary: boolean }> };

export interface Scenario {
  /** `connectionStateRecovery` on both servers (a cut client then comes back as the same socket), or off. */
  recovery: boolean;
  /** `cleanupEmptyChildNamespaces` on both servers: a dynamic child goes with its last socket. */
  cleanup: boolean;
  clients: ClientPlan[];
  actions: Action[];
}

const room = fc.constantFrom(...ROOMS, 'a', 'b');
const rooms: fc.Arbitrary<Rooms> = fc.oneof(room, fc.uniqueArray(room, { minLength: 1, maxLength: 2 }));
function chainOf(clientCount: number): fc.Arbitrary<Selector[]> {
  const selector: fc.Arbitrary<Selector> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('to' as const, 'in' as const, 'except' as const), rooms }) },
    fc.record({ op: fc.constantFrom('to' as const, 'except' as const), client: fc.nat({ max: clientCount - 1 }) }),
  );
  return fc.array(selector, { maxLength: 2 });
}
const dataOrigin = fc.constantFrom<NamespaceOrigin>('/', '/chat', '/dyn-1');

function actionOf(clientCount: number, volatileIsDeterministic: boolean): fc.Arbitrary<Action> {
  const client = fc.nat({ max: clientCount - 1 });
  const chain = chainOf(clientCount);
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ type: fc.constant('join' as const), client, rooms }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('leave' as const), client, room }) },
    {
      weight: 4,
      arbitrary: fc.record({
        type: fc.constant('emit' as const),
        origin: fc.constantFrom<Origin>('/', '/chat', '/dyn-1', 'dyn-parent'),
        chain,
        local: fc.boolean(),
        volatile: volatileIsDeterministic ? fc.boolean() : fc.constant(false),
        binary: fc.boolean(),
      }),
    },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('direct' as const), client, binary: fc.boolean() }) },
    {
      weight: 3,
      arbitrary: fc.record({
        type: fc.constant('socket-emit' as const),
        client,
        via: fc.constantFrom('to' as const, 'except' as const, 'broadcast' as const),
        rooms,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constant('broadcast-ack' as const),
        origin: dataOrigin,
        chain,
        // Mostly everyone answers: a missing answer costs the whole timeout.
        answering: fc.oneof(
          { weight: 2, arbitrary: fc.constant([...Array(clientCount).keys()]).map((all) => [...all]) },
          fc.uniqueArray(client, { maxLength: clientCount }),
        ),
        promise: fc.boolean(),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ type: fc.constant('socket-ack' as const), client, answers: fc.nat({ max: 3 }).map((draw) => draw > 0), promise: fc.boolean() }),
    },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('client-ack' as const), client, heard: fc.nat({ max: 3 }).map((draw) => draw > 0) }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('set-data' as const), client, value: fc.nat({ max: 9 }) }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('fetch' as const), origin: dataOrigin, chain }) },
    {
      weight: 2,
      arbitrary: fc.record({
        type: fc.constant('remote' as const),
        origin: dataOrigin,
        chain,
        op: fc.constantFrom('join' as const, 'join' as const, 'leave' as const, 'disconnect' as const),
        room,
        close: fc.boolean(),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        type: fc.constant('many' as const),
        origin: dataOrigin,
        chain,
        op: fc.constantFrom('socketsJoin' as const, 'socketsJoin' as const, 'socketsLeave' as const, 'disconnectSockets' as const),
        rooms,
        close: fc.boolean(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('server-disconnect' as const), client, close: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('client-disconnect' as const), client }) },
    { weight: 4, arbitrary: fc.record({ type: fc.constant('client-reconnect' as const), client }) },
    {
      weight: 2,
      arbitrary: fc.record({
        type: fc.constant('cut' as const),
        client,
        whileAway: fc.array(
          fc.record(
            { to: fc.oneof(rooms, fc.constantFrom('self' as const, 'all' as const)), except: fc.option(room, { nil: undefined }), binary: fc.boolean() },
            { requiredKeys: ['to', 'binary'] },
          ),
          { maxLength: 3 },
        ),
      }),
    },
  );
}

const clientPlan: fc.Arbitrary<ClientPlan> = fc.record(
  {
    nsp: fc.oneof({ weight: 3, arbitrary: fc.constant('/' as const) }, fc.constantFrom(...NAMESPACES)),
    transport: fc.constantFrom('websocket' as const, 'polling' as const),
    refused: fc.nat({ max: 5 }).map((draw) => draw === 0),
    shares: fc.option(fc.nat({ max: 3 }), { nil: undefined, freq: 2 }),
  },
  { requiredKeys: ['nsp', 'transport', 'refused'] },
);

export function scenarioArbitrary(maxActions: number): fc.Arbitrary<Scenario> {
  return fc.array(clientPlan, { minLength: 1, maxLength: 5 }).chain((clients) => {
    // A volatile packet is dropped when the transport is busy: only a
    // WebSocket idle between actions makes that deterministic, and a polling
    // client's transport is idle only while a GET is pending.
    const volatileIsDeterministic = clients.every((plan) => plan.transport === 'websocket');
    return fc.record({
      recovery: fc.nat({ max: 3 }).map((draw) => draw > 0),
      cleanup: fc.boolean(),
      clients: fc.constant(clients),
      actions: fc.array(actionOf(clients.length, volatileIsDeterministic), { minLength: Math.min(4, maxActions), maxLength: maxActions }),
    });
  });
}

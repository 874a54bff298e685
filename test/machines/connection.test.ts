import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { flattenStateValue } from '../../src/machines/host';
import { connectionMachine, type ConnectionEvent, type ConnectionInput } from '../../src/machines/connection';

type Snapshot = SnapshotFrom<typeof connectionMachine>;
type Action = { type: string; params: any };

const v4: ConnectionInput = {
  protocol: 4,
  transport: 'polling',
  pingInterval: 100,
  pingTimeout: 50,
  upgradeTimeout: 200,
  closeTimeout: 150,
  upgrades: ['websocket'],
  maxPayload: 1e6,
};
const v3: ConnectionInput = { ...v4, protocol: 3 };

const opened = (): ConnectionEvent => ({ type: 'OPENED' });

/** Runs events through the pure machine, collecting every action it asks for. */
function run(input: ConnectionInput, events: ConnectionEvent[]): { snapshot: Snapshot; actions: Action[] } {
  const [initial, first] = initialTransition(connectionMachine, input) as unknown as [Snapshot, Action[]];
  let snapshot = initial;
  const actions: Action[] = [...first];
  for (const event of events) {
    const [next, performed] = transition(connectionMachine, snapshot, event) as unknown as [Snapshot, Action[]];
    snapshot = next;
    actions.push(...performed);
  }
  return { snapshot, actions };
}

const state = (snapshot: Snapshot) => flattenStateValue(snapshot.value);
const records = (actions: Action[]) => actions.filter((a) => a.type === 'record').map((a) => a.params);
const named = (actions: Action[], type: string) => actions.filter((a) => a.type === type).map((a) => a.params);

describe('connection machine', () => {
  it('starts handshaking, bounded by a heartbeat timer of pingTimeout', () => {
    const { snapshot, actions } = run(v4, []);
    expect(state(snapshot)).toBe('handshaking');
    expect(named(actions, 'armHeartbeat')).toEqual([{ ms: 50 }]);
  });

  it('opens over polling or websocket and records conn.open with the session settings', () => {
    const polling = run(v4, [opened()]);
    expect(state(polling.snapshot)).toBe('open.polling');
    expect(records(polling.actions)).toEqual([
      {
        type: 'conn.open',
        protocol: 4,
        transport: 'polling',
        pingInterval: 100,
        pingTimeout: 50,
        upgradeTimeout: 200,
        maxPayload: 1e6,
        upgrades: ['websocket'],
      },
    ]);
    expect(state(run({ ...v4, transport: 'websocket' }, [opened()]).snapshot)).toBe('open.websocket');
  });

  it('v4: pings after pingInterval, expects the pong within pingTimeout, and records both', () => {
    const { snapshot, actions } = run(v4, [opened(), { type: 'HEARTBEAT_DUE', at: 100 }, { type: 'PONG', at: 120 }]);
    expect(state(snapshot)).toBe('open.polling');
    expect(named(actions, 'armHeartbeat')).toEqual([{ ms: 50 }, { ms: 100 }, { ms: 50 }, { ms: 100 }]);
    expect(named(actions, 'sendPing')).toHaveLength(1);
    expect(snapshot.context).toMatchObject({ lastPingAt: 100, lastPongAt: 120, awaitingPong: false });
    expect(records(actions).slice(1)).toEqual([
      { type: 'conn.heartbeat', step: 'ping-sent' },
      { type: 'conn.heartbeat', step: 'pong-received' },
    ]);
  });

  it('v4: a missing pong closes with "ping timeout" carrying the last ping and pong times', () => {
    const { snapshot, actions } = run(v4, [
      opened(),
      { type: 'HEARTBEAT_DUE', at: 100 },
      { type: 'PONG', at: 110 },
      { type: 'HEARTBEAT_DUE', at: 210 },
      { type: 'HEARTBEAT_DUE', at: 260 },
    ]);
    expect(state(snapshot)).toBe('closed');
    expect(snapshot.status).toBe('done');
    const close = records(actions).at(-1);
    expect(close).toMatchObject({ type: 'conn.close', reason: 'ping timeout', initiator: 'server', transport: 'polling', lastPingAt: 210, lastPongAt: 110 });
    expect(named(actions, 'finish')).toEqual([expect.objectContaining({ reason: 'ping timeout', lastPingAt: 210, lastPongAt: 110 })]);
    expect(named(actions, 'clearTimers').length).toBeGreaterThan(0);
  });

  it('v3: answers client pings and closes a client silent for pingInterval + pingTimeout', () => {
    const { snapshot, actions } = run(v3, [opened(), { type: 'PING', at: 40 }, { type: 'HEARTBEAT_DUE', at: 190 }]);
    expect(named(actions, 'sendPong')).toHaveLength(1);
    expect(named(actions, 'sendPing')).toHaveLength(0);
    expect(named(actions, 'armHeartbeat')).toEqual([{ ms: 50 }, { ms: 150 }, { ms: 150 }]);
    expect(state(snapshot)).toBe('closed');
    expect(records(actions).at(-1)).toMatchObject({ reason: 'ping timeout', description: 'no packet from the client within 150 ms', lastPingAt: 40 });
  });

  it('rejects heartbeats in the wrong direction as a transport error', () => {
    expect(records(run(v4, [opened(), { type: 'PING', at: 1 }]).actions).at(-1)).toMatchObject({
      reason: 'transport error',
      description: 'invalid heartbeat direction',
    });
    expect(records(run(v3, [opened(), { type: 'PONG', at: 1 }]).actions).at(-1)).toMatchObject({
      reason: 'transport error',
      description: 'invalid heartbeat direction',
    });
  });

  it('upgrades: probe, upgrade packet, then websocket; records each step', () => {
    const { snapshot, actions } = run(v4, [opened(), { type: 'UPGRADE_START', at: 1 }, { type: 'PROBE', at: 2 }, { type: 'UPGRADE', at: 3 }]);
    expect(state(snapshot)).toBe('open.websocket');
    expect(snapshot.context.transport).toBe('websocket');
    expect(named(actions, 'armUpgradeTimer')).toEqual([{ ms: 200 }]);
    expect(named(actions, 'answerProbe')).toHaveLength(1);
    expect(named(actions, 'completeUpgrade')).toHaveLength(1);
    expect(named(actions, 'clearUpgradeTimer')).toHaveLength(1);
    expect(records(actions).slice(1)).toEqual([
      { type: 'conn.upgrade', step: 'probe', to: 'websocket' },
      { type: 'conn.upgrade', step: 'upgraded', to: 'websocket' },
    ]);
  });

  it('a stalled or failed upgrade returns to polling with the reason recorded', () => {
    const timedOut = run(v4, [opened(), { type: 'UPGRADE_START', at: 1 }, { type: 'UPGRADE_TIMEOUT', at: 201 }]);
    expect(state(timedOut.snapshot)).toBe('open.polling');
    expect(named(timedOut.actions, 'abortUpgrade')).toEqual([{ reason: 'upgrade timeout' }]);
    expect(records(timedOut.actions).at(-1)).toEqual({ type: 'conn.upgrade', step: 'failed', to: 'websocket', reason: 'upgrade timeout' });
    const failed = run(v4, [opened(), { type: 'UPGRADE_START', at: 1 }, { type: 'UPGRADE_FAILED', at: 2, reason: 'probe transport closed' }]);
    expect(state(failed.snapshot)).toBe('open.polling');
    expect(records(failed.actions).at(-1)).toMatchObject({ step: 'failed', reason: 'probe transport closed' });
  });

  it('server close: closing flushes the transport, then closed with "forced close"', () => {
    const { snapshot, actions } = run(v4, [opened(), { type: 'CLOSE', at: 5 }, { type: 'TRANSPORT_CLOSED', at: 6 }]);
    expect(named(actions, 'closeTransport')).toEqual([{ discard: false }]);
    expect(named(actions, 'armCloseTimer')).toEqual([{ ms: 150 }]);
    expect(state(snapshot)).toBe('closed');
    expect(records(actions).at(-1)).toMatchObject({ type: 'conn.close', reason: 'forced close', initiator: 'server' });
  });

  it('closing is bounded by closeTimeout', () => {
    const { snapshot, actions } = run(v4, [opened(), { type: 'CLOSE', at: 5, reason: 'server shutting down' }, { type: 'CLOSE_TIMEOUT', at: 155 }]);
    expect(state(snapshot)).toBe('closed');
    expect(records(actions).at(-1)).toMatchObject({ reason: 'server shutting down', description: 'transport did not close within 150 ms' });
  });

  it('a close during an upgrade lets the upgrade finish and closes over the new WebSocket', () => {
    const { snapshot, actions } = run(v4, [
      opened(),
      { type: 'UPGRADE_START', at: 1 },
      { type: 'CLOSE', at: 2 },
      { type: 'PROBE', at: 3 },
      { type: 'UPGRADE', at: 4 },
    ]);
    expect(state(snapshot)).toBe('closing');
    expect(snapshot.context.transport).toBe('websocket');
    expect(named(actions, 'abortUpgrade')).toEqual([]);
    expect(actions.map((a) => a.type).filter((t) => ['closeTransport', 'answerProbe', 'completeUpgrade'].includes(t))).toEqual([
      'closeTransport',
      'answerProbe',
      'completeUpgrade',
      'closeTransport',
    ]);
    const [closed] = transition(connectionMachine, snapshot, { type: 'TRANSPORT_CLOSE', at: 5, wsCode: 1005 });
    expect(state(closed)).toBe('closed');
    expect(closed.context.end).toMatchObject({ reason: 'forced close', initiator: 'server', wsCode: 1005 });
    expect(closed.context.transport).toBe('websocket');
  });

  it('a discarding close during an upgrade does not wait for it', () => {
    const { snapshot, actions } = run(v4, [
      opened(),
      { type: 'UPGRADE_START', at: 1 },
      { type: 'CLOSE', at: 2, discard: true },
      { type: 'TRANSPORT_CLOSED', at: 2 },
    ]);
    expect(named(actions, 'closeTransport')).toEqual([{ discard: true }]);
    expect(state(snapshot)).toBe('closed');
    expect(named(actions, 'finish')).toEqual([expect.objectContaining({ reason: 'forced close', transport: 'polling' })]);
  });

  it('client-side ends: close frame with code, transport error with size and limit, parse error', () => {
    const wsClose = run({ ...v4, transport: 'websocket' }, [opened(), { type: 'TRANSPORT_CLOSE', at: 3, wsCode: 1001, wsReason: 'going away' }]);
    expect(records(wsClose.actions).at(-1)).toMatchObject({
      reason: 'transport close',
      initiator: 'client',
      transport: 'websocket',
      wsCode: 1001,
      wsReason: 'going away',
    });

    const tooLarge = run(v4, [opened(), { type: 'TRANSPORT_ERROR', at: 3, message: 'payload too large', initiator: 'server', size: 2000, limit: 1000 }]);
    expect(records(tooLarge.actions).slice(-2)).toEqual([
      { type: 'conn.error', transport: 'polling', message: 'payload too large', size: 2000, limit: 1000 },
      expect.objectContaining({ type: 'conn.close', reason: 'transport error', initiator: 'server', description: 'payload too large' }),
    ]);
    expect(named(tooLarge.actions, 'finish')).toEqual([expect.objectContaining({ size: 2000, limit: 1000 })]);

    const garbage = run(v3, [opened(), { type: 'PARSE_ERROR', at: 3, message: 'unknown packet type "x"' }]);
    expect(records(garbage.actions).at(-1)).toMatchObject({ reason: 'parse error', description: 'unknown packet type "x"' });
  });

  it('closed is final: later events change nothing and perform nothing', () => {
    const { snapshot } = run(v4, [opened(), { type: 'TRANSPORT_CLOSE', at: 1 }]);
    for (const event of [
      { type: 'CLOSE', at: 2 },
      { type: 'HEARTBEAT_DUE', at: 3 },
      { type: 'TRANSPORT_ERROR', at: 4, message: 'x' },
    ] as ConnectionEvent[]) {
      const [next, actions] = transition(connectionMachine, snapshot, event);
      expect(state(next)).toBe('closed');
      expect(actions).toEqual([]);
    }
  });
});

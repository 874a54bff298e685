/**
 * How the timeline tells an end: a killed client (no WebSocket close frame,
 * code 1006) is trouble, a client that said goodbye is not; a connection
 * whose node crashed is "lost" with replay's own words, never "still open";
 * lanes are grouped by node.
 */
import { describe, expect, it } from 'vitest';
import { io as connectV4, type Socket as ClientV4 } from 'socket.io-client';
import { buildLanes } from '../../src/inspect/lanes';
import { renderTimelineHtml } from '../../src/inspect/timeline';
import { inspectSnapshotSchema } from '../../src/inspect/snapshot';
import { replay, replayJson } from '../../src/log/replay';
import type { LogEvent, LogEventInput } from '../../src/log/events';
import { startLive, until } from './live';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** Three nodes: `a` restarts (its connections are lost), `c` goes down (seen by `b`), `b` carries on. */
function clusterLog(): LogEvent[] {
  const events: LogEvent[] = [];
  const seq = new Map<string, number>();
  const at = (seconds: number, node: string, input: LogEventInput) => {
    seq.set(node, (seq.get(node) ?? 0) + 1);
    events.push({ ...input, seq: seq.get(node)!, ts: T0 + seconds * 1000, node } as LogEvent);
  };
  const open = (t: number, node: string, sid: string) => {
    at(t, node, {
      type: 'conn.open',
      sid,
      protocol: 4,
      transport: 'websocket',
      remoteAddress: '198.51.100.7',
      pingInterval: 25000,
      pingTimeout: 20000,
      upgradeTimeout: 10000,
      maxPayload: 1e6,
      upgrades: [],
    });
    at(t, node, { type: 'socket.connect', sid, socketId: `${sid}-s`, nsp: '/', protocol: 5 });
  };
  for (const node of ['a', 'b', 'c']) at(0, node, { type: 'server.start', path: '/socket.io', settings: {} });
  open(1, 'a', 'a-1');
  open(2, 'b', 'b-killed');
  open(3, 'b', 'b-bye');
  open(4, 'c', 'c-1');
  open(5, 'a', 'a-2');
  // b-killed: its TCP connection dropped, no close frame.
  at(10, 'b', { type: 'socket.disconnect', socketId: 'b-killed-s', nsp: '/', reason: 'transport close', initiator: 'client', sid: 'b-killed' });
  at(10, 'b', { type: 'conn.close', sid: 'b-killed', reason: 'transport close', initiator: 'client', transport: 'websocket', wsCode: 1006 });
  // b-bye: the browser tab was closed, a close frame with 1001.
  at(11, 'b', { type: 'socket.disconnect', socketId: 'b-bye-s', nsp: '/', reason: 'transport close', initiator: 'client', sid: 'b-bye' });
  at(11, 'b', { type: 'conn.close', sid: 'b-bye', reason: 'transport close', initiator: 'client', transport: 'websocket', wsCode: 1001 });
  at(20, 'b', { type: 'node.down', down: 'c' });
  // Node a crashed and came back: its old connections never closed.
  at(30, 'a', { type: 'server.start', path: '/socket.io', settings: {} });
  open(31, 'a', 'a-3');
  return events.sort((x, y) => x.ts - y.ts);
}

describe('ends on the timeline', () => {
  it('counts a killed client (1006) as abnormal, a client that closed cleanly as not, and so their sockets', () => {
    const lanes = buildLanes(clusterLog());
    const killed = lanes.find((lane) => lane.sid === 'b-killed')!;
    const bye = lanes.find((lane) => lane.sid === 'b-bye')!;
    expect(killed.ending).toMatchObject({ reason: 'transport close', abnormal: true });
    expect(killed.ending?.cause).toBe('transport close: websocket closed by the client with code 1006 (abnormal closure, no close frame)');
    expect(killed.sockets[0]!.ending).toMatchObject({ reason: 'transport close', abnormal: true });
    expect(bye.ending).toMatchObject({ reason: 'transport close', abnormal: false });
    expect(bye.sockets[0]!.ending?.abnormal).toBe(false);
  });

  it('shows the connections of a crashed node as lost, in the words replay uses', () => {
    const events = clusterLog();
    const lanes = buildLanes(events);
    const report = replayJson(replay(events));
    for (const sid of ['a-1', 'a-2', 'c-1']) {
      const lane = lanes.find((l) => l.sid === sid)!;
      const replayed = report.connections.find((c) => c.id === sid)!;
      expect(replayed.state).toBe('lost');
      expect(lane.ending).toMatchObject({ reason: 'lost', abnormal: true, cause: replayed.explanation });
      const socket = report.sockets.find((s) => s.connection === sid)!;
      expect(socket.state).toBe('lost');
      expect(lane.sockets[0]!.ending?.cause).toBe(socket.explanation);
    }
    expect(lanes.find((l) => l.sid === 'a-1')!.ending!.cause).toBe('no close recorded: node a restarted at 12:00:30.000');
    expect(lanes.find((l) => l.sid === 'c-1')!.ending!.cause).toBe('no close recorded: node c went down at 12:00:20.000');
    expect(lanes.find((l) => l.sid === 'a-1')!.end).toBe(T0 + 30_000);
    // Only the connection opened after the restart is still open, in both.
    expect(lanes.filter((l) => !l.ending).map((l) => l.sid)).toEqual(['a-3']);
    expect(report.connections.filter((c) => c.state === 'open').map((c) => c.id)).toEqual(['a-3']);

    const html = renderTimelineHtml(events);
    expect(html).toContain('<b>1</b>still open');
    expect(html).toContain('<b>3</b>lost with their node');
    const card = html.slice(html.indexOf('id="conn-a-1"'), html.indexOf('</section>', html.indexOf('id="conn-a-1"')));
    expect(card).toContain('no close recorded: node a restarted at 12:00:30.000');
    expect(card).toContain('lost after 29.0 s');
    expect(card).not.toContain('still open');
  });

  it('shows the connections of a node that left the cluster as out of sight, not lost, in the words replay uses', () => {
    const events = clusterLog().filter((event) => !(event.type === 'node.down' && event.down === 'c'));
    const at = T0 + 20_000;
    // Node c moved to another cluster (io.adapter(X)): its last entry here, then node b drops its sockets.
    events.push({ type: 'cluster.leave', cluster: 'socket.io', seq: 90, ts: at, node: 'c' } as LogEvent);
    events.push({ type: 'node.down', down: 'c', reason: 'left', seq: 90, ts: at, node: 'b' } as LogEvent);
    events.sort((x, y) => x.ts - y.ts);
    const lanes = buildLanes(events);
    const report = replayJson(replay(events));
    const lane = lanes.find((l) => l.sid === 'c-1')!;
    const replayed = report.connections.find((c) => c.id === 'c-1')!;
    expect(replayed.state).toBe('left');
    expect(replayed.explanation).toBe("no close recorded: node c left the cluster at 12:00:20.000; it went on there, out of this cluster's sight");
    expect(lane.ending).toMatchObject({ reason: 'left', abnormal: false, cause: replayed.explanation });
    expect(report.sockets.find((s) => s.connection === 'c-1')!.state).toBe('left');
    const html = renderTimelineHtml(events);
    expect(html).toContain('<b>2</b>lost with their node');
    expect(html).toContain('<b>1</b>out of sight after a leave');
    const card = html.slice(html.indexOf('id="conn-c-1"'), html.indexOf('</section>', html.indexOf('id="conn-c-1"')));
    expect(card).toContain('left after 16.0 s');
    expect(card).not.toContain('went down');
  });

  it('groups the lanes by node, in the overview and the cards', () => {
    const html = renderTimelineHtml(clusterLog());
    const headings = [...html.matchAll(/<h2 class="node">node (\w+) <small>(\d+) connections?<\/small><\/h2>/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(headings).toEqual(['a:3', 'b:2', 'c:1']);
    const overview = [...html.matchAll(/<text class="ov-node"[^>]*>node (\w+) · (\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(overview).toEqual(['a:3', 'b:2', 'c:1']);
    // Within a node, in order of appearance; a-3 (after the restart) after a-1 and a-2.
    const rows = [...html.matchAll(/<g class="ov-row" data-sid="([^"]+)"/g)].map((m) => m[1]);
    expect(rows).toEqual(['a-1', 'a-2', 'a-3', 'b-killed', 'b-bye', 'c-1']);
  });
});

describe('a killed client, live', () => {
  it('is an abnormal end in the snapshot and on the timeline', async () => {
    const live = await startLive({ auth: () => true });
    const client = connectV4(live.url, { forceNew: true, reconnection: false, transports: ['websocket'] }) as ClientV4;
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('connect_error', reject);
      });
      const sid = client.io.engine.id;
      // As a killed process: the TCP connection goes, no WebSocket close frame.
      (client.io.engine.transport as unknown as { ws: { _socket: { destroy(): void } } }).ws._socket.destroy();
      await until(() => live.io.log.events().some((e) => e.type === 'conn.close'), 'the close', 10_000);
      const close = live.io.log.events().find((e) => e.type === 'conn.close');
      expect(close).toMatchObject({ reason: 'transport close', wsCode: 1006 });

      const snapshot = inspectSnapshotSchema.parse((await (await fetch(`${live.url}/iostate/snapshot`)).json()) as unknown);
      expect(snapshot.closed.find((c) => c.sid === sid)).toMatchObject({ reason: 'transport close', abnormal: true });
      const [lane] = buildLanes(live.io.log.events(), { sid });
      expect(lane!.ending?.abnormal).toBe(true);
      expect(lane!.sockets[0]!.ending?.abnormal).toBe(true);
    } finally {
      client.close();
    }
  });
});

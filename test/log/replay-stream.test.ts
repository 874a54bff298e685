/**
 * Streaming replay: each connection is handed on once it has ended (its
 * sockets too) and then forgotten, so what is held follows the connections
 * open at a time, never the length of the log.
 */
import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../src/log/describe-event';
import type { LogEvent } from '../../src/log/events';
import { replay } from '../../src/log/replay';
import { ReplayStream, SETTLE_MS, type ConnectionStory } from '../../src/log/replay-stream';
import { NOON, Scenario } from './scenario';

function collect(events: Scenario['events'], at?: number): { stories: [ConnectionStory, boolean][]; stream: ReplayStream } {
  const stories: [ConnectionStory, boolean][] = [];
  const stream = new ReplayStream({ at, onConnection: (story, ended) => stories.push([story, ended]) });
  for (const event of events) stream.push(event);
  stream.end();
  return { stories, stream };
}

describe('ReplayStream', () => {
  it('hands on a connection closed before its sockets heard of it once they have, with their reasons', () => {
    const s = new Scenario();
    s.open(0, 'e1');
    s.connect(5, 'e1', 'a');
    s.add(10, { type: 'conn.close', sid: 'e1', reason: 'ping timeout', initiator: 'server', transport: 'polling' });
    const handed: string[] = [];
    const stream = new ReplayStream({ onConnection: (story) => handed.push(`${story.connection.id}:${story.sockets[0]?.reason}`) });
    for (const event of s.events) stream.push(event);
    expect(handed).toEqual([]);
    stream.push(s.add(10, { type: 'socket.disconnect', sid: 'e1', socketId: 'a', nsp: '/', reason: 'ping timeout', initiator: 'server' }));
    expect(handed).toEqual(['e1:ping timeout']);
    expect(stream.held).toBe(0);
  });

  it('gives up waiting for a socket SETTLE_MS after the close, and hands on the open ones last, in the order they opened', () => {
    const s = new Scenario();
    s.open(0, 'late');
    s.open(1, 'early-closed');
    s.connect(2, 'early-closed', 'x');
    s.add(3, { type: 'conn.close', sid: 'early-closed', reason: 'transport close', initiator: 'client', transport: 'polling' });
    s.open(SETTLE_MS + 10, 'second');
    const { stories } = collect(s.events);
    expect(stories.map(([story, ended]) => [story.connection.id, story.connection.state, ended, story.sockets.map((k) => k.state)])).toEqual([
      ['early-closed', 'closed', true, ['connected']],
      ['late', 'open', false, []],
      ['second', 'open', false, []],
    ]);
  });

  it('gives the same reports as the whole-log replay, timelines included', () => {
    const s = new Scenario();
    s.open(0, 'e1');
    s.connect(10, 'e1', 'a');
    s.add(20, { type: 'room.join', socketId: 'a', nsp: '/', room: 'lobby' });
    for (let i = 1; i <= 4; i++) {
      s.add(i * 25_000, { type: 'conn.heartbeat', sid: 'e1', step: 'ping-sent' });
      s.add(i * 25_000 + 5, { type: 'conn.heartbeat', sid: 'e1', step: 'pong-received' });
    }
    s.add(120_000, { type: 'socket.disconnect', socketId: 'a', nsp: '/', reason: 'transport close', initiator: 'client', sid: 'e1' });
    s.add(120_000, { type: 'conn.close', sid: 'e1', reason: 'transport close', initiator: 'client', transport: 'polling', wsCode: 1001 });
    s.open(130_000, 'e2');
    const whole = replay(s.events);
    const { stories } = collect(s.events);
    for (const [story] of stories) {
      const { timeline, ...connection } = story.connection;
      const { timeline: wholeTimeline, ...expected } = whole.connections.find((c) => c.id === connection.id)!;
      expect(connection).toEqual(expected);
      expect(timeline).toEqual([]);
      // The story's timeline holds the events as logged, a run of heartbeats as one item: its first, its latest, and how many.
      const heartbeats = s.events.filter((e) => e.type === 'conn.heartbeat' && e.sid === connection.id);
      const runs = story.timeline.filter((item) => 'first' in item);
      expect(runs).toEqual(heartbeats.length > 0 ? [{ first: heartbeats[0], last: heartbeats.at(-1), count: heartbeats.length }] : []);
      const described = story.timeline
        .filter((item): item is LogEvent => !('first' in item))
        .map((event) => ({ ts: event.ts, seq: event.seq, node: event.node, type: event.type, text: describeEvent(event) }));
      expect(described).toEqual(wholeTimeline.filter((entry) => entry.type !== 'conn.heartbeat'));
      expect(story.sockets.map(({ timeline: _t, ...socket }) => socket)).toEqual(
        whole.sockets.filter((k) => k.connection === connection.id).map(({ timeline: _t, ...socket }) => socket),
      );
    }
  });

  it('loses the connections of a node that started again, and keeps what the filters ask about', () => {
    const s = new Scenario('node-a');
    s.open(0, 'e1');
    s.add(1, { type: 'socket.connect', sid: 'e1', socketId: 'a', nsp: '/chat', protocol: 5, label: 'user-7' });
    s.add(2, { type: 'room.join', socketId: 'a', nsp: '/chat', room: 'lobby' });
    s.add(3, { type: 'room.leave', socketId: 'a', nsp: '/chat', room: 'lobby' });
    s.add(10, { type: 'server.start', path: '/socket.io', settings: {} });
    const { stories } = collect(s.events);
    const [[story, ended]] = stories as [[ConnectionStory, boolean]];
    expect(ended).toBe(true);
    expect(story.connection.state).toBe('lost');
    expect(story.connection.explanation).toBe('no close recorded: node node-a restarted at 12:00:00.010');
    expect([...story.nsps, ...story.rooms]).toEqual(['/chat', 'lobby']);
    expect([...story.labels]).toEqual(['user-7']);
    expect(story.connection.label).toBe('user-7');
  });

  it('holds the connections open at a time, never the whole log: 20,000 connections, at most 50 open at once', () => {
    const s = new Scenario();
    let handed = 0;
    let most = 0;
    const stream = new ReplayStream({ onConnection: () => handed++ });
    const push = (event: Scenario['events'][number]) => {
      stream.push(event);
      most = Math.max(most, stream.held, stream.state.sessions.sockets.size, stream.state.sessions.finished.size);
    };
    for (let i = 0; i < 20_000; i++) {
      const sid = `c${i}`;
      push(s.open(i * 100, sid));
      push(s.add(i * 100, { type: 'socket.connect', sid, socketId: `s${i}`, nsp: '/', protocol: 5 }));
      push(s.add(i * 100, { type: 'room.join', socketId: `s${i}`, nsp: '/', room: 'lobby' }));
      // Each lives 5 s: 50 open at once.
      if (i >= 50) {
        const old = i - 50;
        push(s.add(i * 100, { type: 'conn.close', sid: `c${old}`, reason: 'transport close', initiator: 'client', transport: 'polling' }));
        push(s.add(i * 100, { type: 'socket.disconnect', sid: `c${old}`, socketId: `s${old}`, nsp: '/', reason: 'transport close', initiator: 'client' }));
      }
    }
    expect(handed).toBe(20_000 - 50);
    expect(most).toBeLessThanOrEqual(51);
    expect(stream.held).toBe(50);
    expect(s.events.length).toBeGreaterThan(90_000);
    stream.end();
    expect(handed).toBe(20_000);
    expect(stream.held).toBe(0);
  });

  it('folds only up to `at`', () => {
    const s = new Scenario();
    s.open(0, 'e1');
    s.add(1000, { type: 'conn.close', sid: 'e1', reason: 'transport close', initiator: 'client', transport: 'polling' });
    const { stories, stream } = collect(s.events, NOON + 500);
    expect(stories.map(([story]) => story.connection.state)).toEqual(['open']);
    expect(stream.folded).toBe(1);
  });
});

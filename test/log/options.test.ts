import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventLog } from '../../src/log/options';
import { MemorySink } from '../../src/log/memory-sink';
import type { EventLogOption } from '../../src/log/options';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iostate-options-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const join = { type: 'room.join', socketId: 'a', nsp: '/', room: 'x' } as const;

describe('createEventLog', () => {
  it('retains by default and when true', () => {
    expect(createEventLog().retaining).toBe(true);
    expect(createEventLog(true).retaining).toBe(true);
  });

  it('turns retention and sinks off with false, keeping the projections', () => {
    const log = createEventLog(false);
    log.record({ type: 'socket.connect', sid: 'e', socketId: 'a', nsp: '/', protocol: 5 });
    log.record(join);
    expect(log.events()).toEqual([]);
    expect(log.projections.rooms.membersOf('/', 'x')?.has('a')).toBe(true);
  });

  it('writes to a file given as a path or with rotation settings, plus custom sinks; flushes on demand', async () => {
    const custom = new MemorySink(5);
    const log = createEventLog({ file: path.join(dir, 'a.jsonl'), sinks: [custom], node: 'n7', capacity: 2 });
    log.record(join);
    log.record(join);
    log.record(join);
    await log.close();
    expect(log.node).toBe('n7');
    expect(log.events().map((e) => e.seq)).toEqual([2, 3]);
    expect(custom.size).toBe(3);
    expect(fs.readFileSync(path.join(dir, 'a.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);

    const flushing = createEventLog({ file: path.join(dir, 'c.jsonl') });
    flushing.record(join);
    await flushing.flush();
    expect(fs.readFileSync(path.join(dir, 'c.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
    flushing.record(join);
    await flushing.flush();
    expect(fs.readFileSync(path.join(dir, 'c.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    await flushing.close();

    const rotating = createEventLog({ file: { path: path.join(dir, 'b.jsonl'), maxBytes: 1, maxFiles: 2 } });
    rotating.record(join);
    rotating.record(join);
    await rotating.close();
    expect(fs.readdirSync(dir).sort()).toEqual(['a.jsonl', 'b.1.jsonl', 'b.jsonl', 'c.jsonl']);
  });

  it('passes the connection share and the sensitive fields on to the log', () => {
    const log = createEventLog({ perConnection: { records: 1, windowMs: 60_000 }, sensitive: { errorStacks: true } });
    log.record({ type: 'socket.refused', sid: 's', nsp: '/a', message: 'no' });
    log.record({ type: 'socket.refused', sid: 's', nsp: '/b', message: 'no' });
    log.record({ type: 'app.error', message: 'boom', errorType: 'Error', stack: 'Error: boom' });
    expect(log.events().map((e) => e.type)).toEqual(['socket.refused', 'app.error']);
    expect(log.events()[1]).toHaveProperty('stack', 'Error: boom');
  });

  it('keeps as many closed sessions as retainClosed, the oldest forgotten first', () => {
    const log = createEventLog({ retainClosed: 2 });
    for (const sid of ['s1', 's2', 's3']) {
      log.record({
        type: 'conn.open',
        sid,
        protocol: 4,
        transport: 'websocket',
        remoteAddress: '127.0.0.1',
        pingInterval: 1,
        pingTimeout: 1,
        upgradeTimeout: 1,
        maxPayload: 1,
        upgrades: [],
      });
      log.record({ type: 'conn.close', sid, reason: 'transport close', initiator: 'client', transport: 'websocket' });
    }
    expect([...log.projections.sessions.sessions()].map((session) => session.sid)).toEqual(['s2', 's3']);
  });

  it.each([
    [{ capacity: 0 }, /capacity/],
    [{ retainClosed: -1 }, /retainClosed/],
    [{ capacity: 1.5 }, /capacity/],
    [{ file: '' }, /file/],
    [{ file: { path: 'x', maxFiles: 0 } }, /maxFiles/],
    [{ sinks: [{ write() {} }] }, /each sink needs write\(event\) and close\(\) methods/],
    [{ nodes: 'x' }, /nodes/],
    [{ perConnection: { records: 0, windowMs: 1000 } }, /perConnection\.records/],
    [{ perConnection: true }, /perConnection/],
    [{ sensitive: { stacks: true } }, /stacks/],
    ['yes', /Invalid eventLog option/],
  ])('rejects %j with a clear error', (option, message) => {
    expect(() => createEventLog(option as EventLogOption)).toThrow(TypeError);
    expect(() => createEventLog(option as EventLogOption)).toThrow(message);
  });
});

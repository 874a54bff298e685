import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogEvent } from '../../src/log/events';
import { mergeEvents, mergeLogSources, parseLog, readLog, readLogFile, readLogStream } from '../../src/log/read-log';
import { NOON, Scenario } from './scenario';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iostate-read-log-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const jsonl = (s: Scenario) => s.events.map((e) => JSON.stringify(e) + '\n').join('');

describe('parseLog', () => {
  it('reads valid lines and reports bad ones with their line numbers', () => {
    const s = new Scenario();
    s.open(0, 'e1');
    s.add(1, { type: 'conn.close', sid: 'e1', reason: 'transport close', initiator: 'client', transport: 'polling' });
    const [first, second] = jsonl(s).split('\n');
    const text = [
      first,
      '',
      'not json',
      '{"seq":1,"ts":2,"node":"n","type":"martian"}',
      '{"seq":1,"ts":2,"node":"n","type":"room.join","nsp":"/"}',
      second,
      '{"seq":3,',
    ].join('\n');
    const { events, problems } = parseLog(text, 'x.jsonl');
    expect(events.map((e) => e.type)).toEqual(['conn.open', 'conn.close']);
    expect(problems.map((p) => [p.file, p.line])).toEqual([
      ['x.jsonl', 3],
      ['x.jsonl', 4],
      ['x.jsonl', 5],
      ['x.jsonl', 7],
    ]);
    expect(problems.map((p) => p.message)).toEqual([
      'not JSON',
      'not an event (unknown type)',
      'not an event (socketId: Invalid input: expected string, received undefined)',
      'incomplete last line (the writer stopped mid-line)',
    ]);
  });

  it('checks each line as a cluster node checks a stream entry: hostile numbers are skipped, never printed as dates', () => {
    const s = new Scenario();
    s.open(0, 'e1');
    const close = { type: 'conn.close', sid: 'e1', reason: 'ping timeout', initiator: 'server', transport: 'polling', seq: 2, ts: NOON + 10, node: 'node-a' };
    const lines = [
      JSON.stringify(s.events[0]),
      JSON.stringify({ ...close, lastPongAt: 1e300 }),
      JSON.stringify({ ...close, ts: -5 }),
      JSON.stringify({ ...close, ts: Date.UTC(1999, 11, 31) }),
      JSON.stringify({ ...close, ts: Date.now() + 2 * 24 * 3600 * 1000 }),
      JSON.stringify({ ...close, wsCode: 1000.5 }),
      JSON.stringify({ ...close, node: '' }),
    ];
    const { events, problems } = parseLog(lines.join('\n') + '\n', 'x.jsonl');
    expect(events).toHaveLength(1);
    expect(problems.map((p) => [p.line, p.message.replace(/ts \d+ out/, 'ts N out')])).toEqual([
      [2, 'lastPongAt 1e+300 out of range (after 2000-01-01, at most a day ahead of this clock)'],
      [3, 'ts -5 out of range (after 2000-01-01, at most a day ahead of this clock)'],
      [4, 'ts N out of range (after 2000-01-01, at most a day ahead of this clock)'],
      [5, 'ts N out of range (after 2000-01-01, at most a day ahead of this clock)'],
      [6, 'wsCode 1000.5 is not a whole number of at least 0'],
      [7, 'node name of 0 characters (1 to 256)'],
    ]);
  });
});

describe('readLogFile', () => {
  it('hands on a long file in batches, and reads a line cut across chunks whole', async () => {
    const s = new Scenario();
    // Long namespace names make lines that straddle the 64 KiB chunks.
    for (let i = 0; i < 3000; i++) s.add(i, { type: 'nsp.create', nsp: `/${'n'.repeat(i % 100)}${i}` });
    const file = path.join(dir, 'long.jsonl');
    fs.writeFileSync(file, jsonl(s));
    const batches: number[] = [];
    const seqs: number[] = [];
    for await (const batch of readLogFile(file)) {
      expect(batch.problems).toEqual([]);
      batches.push(batch.events.length);
      for (const event of batch.events) seqs.push(event.seq);
    }
    expect(batches.filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(seqs).toEqual(s.events.map((e) => e.seq));
  });

  it('with follow, reads lines appended later until the signal aborts', async () => {
    const s = new Scenario();
    s.open(0, 'e1');
    s.open(1, 'e2');
    const file = path.join(dir, 'live.jsonl');
    const [first, second] = jsonl(s).split('\n');
    fs.writeFileSync(file, `${first}\n`);
    const stop = new AbortController();
    const seen: string[] = [];
    for await (const batch of readLogFile(file, { follow: true, signal: stop.signal })) {
      for (const event of batch.events) seen.push(event.type === 'conn.open' ? event.sid : '');
      // Half a line first: it waits for the rest instead of reporting it.
      if (seen.length === 1 && batch.events.length > 0) fs.appendFileSync(file, second!.slice(0, 20));
      else if (seen.length === 1) fs.appendFileSync(file, `${second!.slice(20)}\n`);
      if (seen.length === 2) stop.abort();
      expect(batch.problems).toEqual([]);
    }
    expect(seen).toEqual(['e1', 'e2']);
  });
});

describe('readLogStream', () => {
  it('reads JSONL from a stream of chunks, such as standard input', async () => {
    const s = new Scenario();
    s.open(0, 'e1');
    s.open(1, 'e2');
    const text = jsonl(s);
    const chunks = (async function* () {
      for (let i = 0; i < text.length; i += 7) yield Buffer.from(text.slice(i, i + 7));
    })();
    const sids: string[] = [];
    for await (const batch of readLogStream(chunks)) for (const event of batch.events) sids.push(event.type === 'conn.open' ? event.sid : '');
    expect(sids).toEqual(['e1', 'e2']);
  });
});

describe('mergeLogSources', () => {
  it('merges as mergeEvents does, taking a batch of each source at a time', async () => {
    const a = new Scenario('node-a');
    const b = new Scenario('node-b');
    for (let i = 0; i < 2000; i++) a.open(i * 2, `a${i}`);
    for (let i = 0; i < 2000; i++) b.open(i * 2 + 1, `b${i}`);
    let pulled = 0;
    /** A source of one event per batch that counts what the merge pulled. */
    const source = (events: LogEvent[]) =>
      (async function* () {
        for (const event of events) {
          pulled++;
          yield { events: [event], problems: [] };
        }
      })();
    // The stream repeats node-a's events: they are kept once.
    const merged: LogEvent[] = [];
    for await (const batch of mergeLogSources([source(a.events), source(b.events), source(a.events)])) {
      merged.push(...batch.events);
      // The merge holds one batch per source: it never reads far ahead of what it hands on.
      expect(pulled).toBeLessThanOrEqual(merged.length * 2 + 3);
    }
    expect(merged).toEqual(mergeEvents([a.events, b.events]));
  });
});

describe('readLog', () => {
  it('merges files from several nodes by ts, then node, then seq', async () => {
    const a = new Scenario('node-a');
    const b = new Scenario('node-b');
    a.open(0, 'a1');
    b.open(0, 'b1');
    b.open(5, 'b2');
    a.open(10, 'a2');
    fs.writeFileSync(path.join(dir, 'a.jsonl'), jsonl(a));
    fs.writeFileSync(path.join(dir, 'b.jsonl'), jsonl(b));
    const { events, problems } = await readLog([path.join(dir, 'b.jsonl'), path.join(dir, 'a.jsonl')]);
    expect(problems).toEqual([]);
    expect(events.map((e) => (e.type === 'conn.open' ? e.sid : ''))).toEqual(['a1', 'b1', 'b2', 'a2']);
  });

  it('keeps a file in its own order even if its clock stepped back', () => {
    const a = new Scenario('node-a');
    a.open(10, 'a1');
    a.open(5, 'a2');
    const b = new Scenario('node-b');
    b.open(7, 'b1');
    expect(mergeEvents([a.events, b.events]).map((e) => (e.type === 'conn.open' ? e.sid : ''))).toEqual(['b1', 'a1', 'a2']);
  });

  it('keeps once an event that two lists both hold (a node file and the cluster stream), clock steps and all', () => {
    const a = new Scenario('node-a');
    a.open(10, 'a1');
    a.open(5, 'a2');
    const b = new Scenario('node-b');
    b.open(7, 'b1');
    const merged = mergeEvents([a.events, [...a.events, ...b.events].sort((x, y) => x.ts - y.ts)]);
    expect(merged.map((e) => (e.type === 'conn.open' ? e.sid : '')).sort()).toEqual(['a1', 'a2', 'b1']);
  });

  it('reports an unreadable file instead of throwing', async () => {
    const { events, problems } = await readLog(path.join(dir, 'missing.jsonl'));
    expect(events).toEqual([]);
    expect(problems).toEqual([{ file: path.join(dir, 'missing.jsonl'), line: 0, message: expect.stringMatching(/^cannot read: ENOENT/) }]);
  });
});

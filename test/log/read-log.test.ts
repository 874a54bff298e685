import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeEvents, parseLog, readLog } from '../../src/log/read-log';
import { Scenario } from './scenario';

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
    const text = [first, '', 'not json', '{"seq":1,"ts":2,"node":"n","type":"martian"}', '{"seq":1,"ts":2,"node":"n","type":"room.join","nsp":"/"}', second, '{"seq":3,'].join('\n');
    const { events, problems } = parseLog(text, 'x.jsonl');
    expect(events.map((e) => e.type)).toEqual(['conn.open', 'conn.close']);
    expect(problems.map((p) => [p.file, p.line])).toEqual([
      ['x.jsonl', 3],
      ['x.jsonl', 4],
      ['x.jsonl', 5],
      ['x.jsonl', 7],
    ]);
    expect(problems[0]?.message).toMatch(/^not JSON: /);
    expect(problems[1]?.message).toMatch(/^not a log event: type: /);
    expect(problems[2]?.message).toMatch(/socketId/);
    expect(problems[3]?.message).toBe('incomplete last line (the writer stopped mid-line)');
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

/**
 * Strings a client chooses end up in the log: namespace and room names, a
 * WebSocket close reason. A real server records them from a raw WebSocket
 * client; then `iostate replay` must print no control character or bidi
 * override raw (an operator's terminal would obey them), `--json` must stay
 * faithful JSON that is safe to print, and `iostate inspect` and the live
 * inspector must render them as text, never markup.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Server } from '../../src/actors/server';
import type { ReplayJson } from '../../src/log/replay';
import { CLOSE_REASON, NAMESPACE, RAW_UNSAFE, ROOM, hostileVisit, startHostileServer } from './hostile-client';
import { followUntil, runCli } from './run-cli';

let dir: string;
const cleanups: (() => Promise<void> | void)[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iostate-hostile-'));
});
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A server logging to a file, visited once by a hostile client that then left. */
async function hostileRun(): Promise<{ file: string; url: string; io: Server; sid: string }> {
  const file = path.join(dir, 'hostile.jsonl');
  const target = await startHostileServer(file);
  cleanups.push(target.close);
  return { file, url: target.url, io: target.io, sid: await hostileVisit(target) };
}

describe('hostile strings from a real client', () => {
  it('iostate replay shows every control character and bidi override as an escape, never raw', async () => {
    const { file, io, sid } = await hostileRun();
    await io.log.close();
    const logged = fs.readFileSync(file, 'utf8');
    expect(logged).toContain('\\u001b[2J'); // the log itself keeps the reason faithfully, as JSON

    const text = await runCli('replay', file);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toMatch(RAW_UNSAFE);
    expect(text.stdout).toContain('\\x1b[2J\\x1b]0;owned\\x07\\x1b]52;c;ZWNobyBvd25lZA==\\x07</script><script>alert(1)</script>\\u202e');
    expect(text.stdout).toContain('/<img src=x onerror=alert(1)>\\x1b[31m');
    expect(text.stdout).toContain('"label /<img src=x onerror=alert(1)>\\x1b[31m"');
    expect(text.stdout).toContain('</script><img src=x onerror=alert(2)>\\x9b2J\\u2066');
    // A line feed in a client's string is shown too: it starts no line that reads as replay's own.
    expect(text.stdout).toContain('\\u2066\\x0a      00:00:00.000  connection closed: forged by the client');
    expect(text.stdout).not.toMatch(/^\s*00:00:00\.000/m);
    expect(text.stdout).toContain('no entry to /\\x1b]8;;http://evil.example\\x07<svg onload=alert(3)>');
    expect(text.stdout).toContain(sid);

    const json = await runCli('replay', file, '--json');
    expect(json.code).toBe(0);
    expect(json.stdout).not.toMatch(RAW_UNSAFE);
    const parsed = JSON.parse(json.stdout) as ReplayJson;
    const connection = parsed.connections.find((c) => c.id === sid)!;
    expect(connection.explanation).toContain(CLOSE_REASON);
    expect(parsed.sockets.some((s) => s.rooms.includes(ROOM))).toBe(true);

    // The summary, the filters and the per-line JSON of --follow show the same strings the same way.
    const summary = await runCli('replay', file, '--summary');
    expect(summary.code).toBe(0);
    expect(summary.stdout).not.toMatch(RAW_UNSAFE);
    expect(summary.stdout).toContain('\\x1b[2J\\x1b]0;owned\\x07');
    const narrowed = await runCli('replay', file, '--room', ROOM, '--nsp', NAMESPACE);
    expect(narrowed.code).toBe(0);
    expect(narrowed.stdout).not.toMatch(RAW_UNSAFE);
    expect(narrowed.stdout).toContain(sid);
    expect(narrowed.stdout).toMatch(/: 1 connection \(0 open\)/);
    const lines = await followUntil((stdout) => stdout.includes('\n'), {}, 'replay', file, '--follow', '--json');
    expect(lines.stdout).not.toMatch(RAW_UNSAFE);
    expect(
      lines.stdout
        .trimEnd()
        .split('\n')
        .map((line) => (JSON.parse(line) as { connection: { explanation: string } }).connection.explanation),
    ).toEqual([connection.explanation]);
  });

  it('iostate inspect and the live inspector render the strings as text, never markup', async () => {
    const { file, url, io } = await hostileRun();
    const pages = {
      lanes: await (await fetch(`${url}/iostate/lanes`)).text(),
      timeline: await (await fetch(`${url}/iostate/timeline`)).text(),
    };
    await io.log.close();
    const inspect = await runCli('inspect', file, '-o', '-');
    expect(inspect.code).toBe(0);
    for (const [name, html] of Object.entries({ ...pages, inspect: inspect.stdout })) {
      expect(html, name).not.toMatch(RAW_UNSAFE);
      expect(html, name).not.toMatch(/<img|<svg onload|<\/script><script>/);
      expect(html, name).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;\\x9b2J\\u2066');
      expect(html, name).toContain('label /&lt;img src=x onerror=alert(1)&gt;\\x1b[31m');
      expect(html, name).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;\\u202e');
      // The only <script> elements are the page's own.
      expect(html.split('<script>').length - 1, name).toBe(name === 'lanes' ? 0 : 1);
    }
    expect(pages.timeline).toContain('no entry to /\\x1b]8;;http://evil.example\\x07&lt;svg onload=alert(3)&gt;');
  });

  it('reports the bad lines of a hostile log without printing their controls', async () => {
    const file = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(
      file,
      `\u001b[2J\u001b]0;owned\u0007 not json\n{"type":"\\u001b[2J","seq":1,"ts":1,"node":"n"}\n{"type":"nsp.create","nsp":"/","seq":2,"ts":1767268800000,"node":"n"}\n`,
    );
    const run = await runCli('replay', file);
    expect(run.code).toBe(0);
    // A bad line is reported in words of its own, quoting nothing of the line.
    expect(run.stderr).toBe(`${file}:1: not JSON\n${file}:2: not an event (unknown type)\n`);
  });
});

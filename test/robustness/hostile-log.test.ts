/**
 * The log against a hostile client.
 *
 * - One client must not be able to erase the log's history. A real server
 *   writes its log to small rotated files; well-behaved clients come and go
 *   first (the history), then one connection sends 300 namespace CONNECTs
 *   with 16 kB names (the longest a client may ask for) to a dynamic
 *   namespace. Without bounds that wrote about 15 MB of log and rotated every
 *   earlier file away; with them, each record
 *   is cut and the connection's share is capped, so the history is still there.
 * - The log holds nothing secret by default. A namespace middleware refuses a
 *   client with `err.data` holding the token it rejected, and a handler
 *   throws: the client still gets the data (as in socket.io), but the log
 *   file and the log's subscribers (the inspector's event stream) keep only
 *   the message and the type, unless the application opts in.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SensitiveFields } from '../../src/log/bound';
import type { LogEvent } from '../../src/log/events';
import { rotatedPath } from '../../src/log/file-sink';
import { readLog } from '../../src/log/read-log';
import { connectClient, connected } from './helpers/clients';
import { RawSession } from './helpers/raw';
import { startIostate, until, type Running } from './helpers/server';

const MAX_BYTES = 128 * 1024;
const MAX_FILES = 4;
const NAME_LENGTH = 16_000;
const CONNECTS = 300;
const TOKEN = 'secret-token-5f2b9c';

let running: Running | undefined;
let dir: string | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a flood of huge namespace names from one connection', () => {
  it('leaves the history written before it in the rotated files', { timeout: 120_000 }, async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iostate-flood-'));
    const file = path.join(dir, 'io.jsonl');
    running = await startIostate({ pingInterval: 25_000, pingTimeout: 20_000, eventLog: { file: { path: file, maxBytes: MAX_BYTES, maxFiles: MAX_FILES } } });
    const { io, url, port } = running;
    io.of(/^\/dyn-/).on('connection', () => {});
    io.on('connection', (socket) => socket.join('history-room'));

    // The history: clients that come and go before the flood.
    const historySids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const client = connectClient(i % 2 ? 'v2' : 'v4', url);
      await connected(client);
      historySids.push(client.io.engine.id as string);
      client.close();
    }
    await until(() => io.engine.clientsCount === 0, 'the history clients to leave');

    const attacker = await RawSession.open(port, 4, 'websocket');
    const filler = 'a'.repeat(NAME_LENGTH);
    for (let i = 0; i < CONNECTS; i++) void attacker.message(`0/dyn-${filler}-${i},`);
    await until(() => attacker.received.filter((m) => m.startsWith('40/dyn-')).length === CONNECTS, 'the namespace connects', 60_000);
    attacker.ws!.close();
    await until(() => io.engine.clientsCount === 0, 'the attacker to leave');
    await io.log.flush();

    const files = Array.from({ length: MAX_FILES }, (_, n) => rotatedPath(file, MAX_FILES - 1 - n)).filter((f) => fs.existsSync(f));
    const { events, problems } = await readLog(files);
    expect(problems).toEqual([]);
    // The history survived: every earlier connection's open and close.
    for (const sid of historySids) {
      expect(events.filter((e) => (e.type === 'conn.open' || e.type === 'conn.close') && e.sid === sid).map((e) => e.type)).toEqual([
        'conn.open',
        'conn.close',
      ]);
    }
    // The flood took a bounded share, and says what it held back.
    const bytes = files.reduce((sum, f) => sum + fs.statSync(f).size, 0);
    expect(bytes).toBeLessThan(MAX_BYTES * (MAX_FILES - 1));
    const summary = events.find((e) => e.type === 'log.suppressed' && e.sid === attacker.sid);
    expect(summary).toMatchObject({ type: 'log.suppressed', sid: attacker.sid });
    const keptConnects = events.filter((e) => e.type === 'socket.connect' && e.sid === attacker.sid).length;
    expect(keptConnects).toBeGreaterThan(0);
    expect(keptConnects).toBeLessThan(CONNECTS);
    // Each long name is cut, with its length.
    const created = events.find((e) => e.type === 'nsp.create' && e.sid === attacker.sid);
    expect(created).toBeDefined();
    expect((created as { nsp: string }).nsp).toMatch(new RegExp(`^/dyn-a{1019}…\\[cut: ${NAME_LENGTH + 7} chars, sha256 [0-9a-f]{12}\\]$`));
    expect(Math.max(...events.map((e) => JSON.stringify(e).length))).toBeLessThan(4 * 1024);
    // The server still serves.
    const client = connectClient('v4', url);
    await connected(client);
    client.close();
  });
});

async function refuseAndThrow(sensitive?: SensitiveFields): Promise<{ file: string; streamed: LogEvent[]; dataSeen: unknown }> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iostate-secrets-'));
  const file = path.join(dir, 'io.jsonl');
  running = await startIostate({ eventLog: { file, ...(sensitive ? { sensitive } : {}) } });
  const { io, url } = running;
  const streamed: LogEvent[] = [];
  io.log.subscribe((event) => streamed.push(event));
  io.of('/admin').use((socket, next) => next(Object.assign(new Error('not authorized'), { data: { token: TOKEN } })));
  io.on('connection', (socket) => {
    socket.on('boom', () => {
      (undefined as unknown as { token: string }).token.trim();
    });
  });
  const admin = connectClient('v4', url, 'websocket', '/admin');
  const dataSeen = await new Promise((resolve) => admin.once('connect_error', (err: { data?: unknown }) => resolve(err.data)));
  admin.close();
  const client = connectClient('v4', url);
  await connected(client);
  client.emit('boom');
  await until(() => streamed.some((e) => e.type === 'app.error'), 'the app error');
  client.close();
  await io.log.flush();
  return { file, streamed, dataSeen };
}

describe('secrets in the log', () => {
  it('keeps a refusal’s data and an error’s stack out of the file and the event stream by default', async () => {
    const { file, streamed, dataSeen } = await refuseAndThrow();
    expect(dataSeen).toEqual({ token: TOKEN });
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toMatch(/\\n\s+at /);
    const inFile = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogEvent);
    for (const events of [inFile, streamed]) {
      expect(events.find((e) => e.type === 'socket.refused')).toEqual(expect.objectContaining({ nsp: '/admin', message: 'not authorized' }));
      expect(events.find((e) => e.type === 'socket.refused')).not.toHaveProperty('data');
      const error = events.find((e) => e.type === 'app.error');
      expect(error).toMatchObject({ errorType: 'TypeError', message: expect.stringContaining("Cannot read properties of undefined (reading 'token')") });
      expect(error).not.toHaveProperty('stack');
    }
  });

  it('keeps them when the application opts in', async () => {
    const { file, streamed } = await refuseAndThrow({ refusalData: true, errorStacks: true });
    const inFile = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogEvent);
    for (const events of [inFile, streamed]) {
      expect(events.find((e) => e.type === 'socket.refused')).toMatchObject({ data: { token: TOKEN } });
      expect(events.find((e) => e.type === 'app.error')).toMatchObject({
        errorType: 'TypeError',
        stack: expect.stringMatching(/^TypeError: Cannot read properties of undefined[^]*\n\s+at /),
      });
    }
  });
});

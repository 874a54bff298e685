/**
 * `eventLog.label`: who each socket was, recorded once on its connect and
 * shown (escaped) by the snapshot, the inspector's search, the timeline and
 * replay; the raw handshake never reaches the log; a label function that
 * fails is an application error, never a crash. Real clients of both
 * generations over real sockets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { io as connectV4, type Socket as ClientV4 } from 'socket.io-client';
import connectV2 from 'socket.io-client-v2';
import type { Handshake, Socket } from '../../src/actors/socket';
import { MAX_LABEL } from '../../src/log/connection-label';
import { replay, replayJson } from '../../src/log/replay';
import type { LogEvent, LogEventOf } from '../../src/log/events';
import { ReplayStream, type ConnectionStory } from '../../src/log/replay-stream';
import { writeStory } from '../../src/cli/replay-format';
import { textTimelines, type TextTimeline } from '../../src/cli/replay-timeline';
import { renderTimelineHtml } from '../../src/inspect/timeline';
import { inspectSnapshotSchema } from '../../src/inspect/snapshot';
import { startLive, until, type Live } from './live';

const allow = () => true;

/** The connections as `iostate replay` hands them to its text output. */
function stories(events: readonly LogEvent[]): ConnectionStory<TextTimeline>[] {
  const out: ConnectionStory<TextTimeline>[] = [];
  const stream = new ReplayStream({ keeper: textTimelines, onConnection: (story) => out.push(story) });
  for (const event of events) stream.push(event);
  stream.end();
  return out;
}

/** A connection's block as `iostate replay` prints it. */
function formatStory(story: ConnectionStory<TextTimeline>): string {
  const pieces: Buffer[] = [];
  writeStory(story, { write: (piece) => pieces.push(Buffer.from(piece)) });
  return Buffer.concat(pieces).toString();
}
const clients: { close(): void }[] = [];
afterEach(() => {
  while (clients.length > 0) clients.pop()!.close();
});

function v4(live: Live, auth: Record<string, unknown>, nsp = '/'): Promise<ClientV4> {
  const client = connectV4(`${live.url}${nsp}`, { forceNew: true, reconnection: false, auth });
  clients.push(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('connect_error', reject);
  });
}

function v2(live: Live, query: string): Promise<{ id: string }> {
  const client = connectV2(live.url, { forceNew: true, reconnection: false, query });
  clients.push(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('connect_error', reject);
  });
}

/** Whether the escape, the bidi override or the line separator got through unescaped. */
const hasRawControls = (text: string) => ['\u001b', '\u202e', '\u2028'].some((char) => text.includes(char));

const connects = (events: readonly LogEvent[]) => events.filter((e): e is LogEventOf<'socket.connect'> => e.type === 'socket.connect');

/** The application's label: a user name from the 4.x auth object or the 2.x query, never the token. */
const userLabel = (handshake: Handshake) => {
  const user = handshake.auth.user ?? handshake.query.user;
  return typeof user === 'string' ? `user:${user}` : undefined;
};

describe('eventLog.label', () => {
  it('records the label on the connect of 4.x and 2.x sockets, and keeps auth and query out of the log', async () => {
    const live = await startLive({ auth: allow }, { eventLog: { label: userLabel } });
    live.io.of('/chat');
    const alice = await v4(live, { user: 'alice', token: 'secret-token-4x' });
    await v4(live, { user: 'carol', token: 'secret-token-4x' }, '/chat');
    const bob = await v2(live, 'user=bob&token=secret-token-2x');
    const anonymous = await v4(live, { token: 'secret-token-anon' });
    await until(() => connects(live.io.log.events()).length === 4, 'four connects');

    const byId = new Map(connects(live.io.log.events()).map((e) => [e.socketId, e]));
    expect(byId.get(alice.id!)?.label).toBe('user:alice');
    expect(connects(live.io.log.events()).find((e) => e.nsp === '/chat')?.label).toBe('user:carol');
    expect(byId.get(bob.id)?.label).toBe('user:bob');
    expect(byId.get(anonymous.id!)).not.toHaveProperty('label');
    expect(JSON.stringify(live.io.log.events())).not.toMatch(/secret-token/);

    const snapshot = inspectSnapshotSchema.parse((await (await fetch(`${live.url}/iostate/snapshot`)).json()) as unknown);
    expect(snapshot.sockets.find((s) => s.id === bob.id)?.label).toBe('user:bob');
    expect(snapshot.connections.find((c) => c.sid === alice.io.engine.id)?.label).toBe('user:alice');

    // The inspector's search finds connections and sockets by label.
    const found = inspectSnapshotSchema.parse((await (await fetch(`${live.url}/iostate/snapshot?q=USER:BOB`)).json()) as unknown);
    expect(found.sockets.map((s) => s.id)).toEqual([bob.id]);
    expect(found.connections.map((c) => c.label)).toEqual(['user:bob']);

    // The same label in replay, JSON and text.
    const result = replay(live.io.log.events());
    const json = replayJson(result);
    expect(json.sockets.find((s) => s.id === bob.id)?.label).toBe('user:bob');
    expect(json.connections.find((c) => c.id === alice.io.engine.id)?.label).toBe('user:alice');
    expect(json.sockets.find((s) => s.id === anonymous.id)).not.toHaveProperty('label');
    const story = stories(live.io.log.events()).find((s) => s.connection.sockets.includes(bob.id))!;
    expect(formatStory(story)).toContain(`socket ${bob.id} on /  "user:bob"`);

    // And on the timeline, where the page's filter reads each card's text.
    const html = renderTimelineHtml(live.io.log.events());
    expect(html).toMatch(/<h3>connection [^<]+ <span class="label">user:alice<\/span><\/h3>/);
  });

  it('a label function that throws or returns a non-string is an app error; the socket connects without a label', async () => {
    const errors: unknown[] = [];
    const originalError = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      class LabelBug extends Error {}
      const label = (handshake: Handshake, socket: Socket) => {
        if (handshake.auth.kind === 'throw') throw new LabelBug(`no user for ${socket.id}`);
        if (handshake.auth.kind === 'number') return 42 as unknown as string;
        if (handshake.auth.kind === 'promise') return Promise.resolve('late') as unknown as string;
        if (handshake.auth.kind === 'string') throw 'plain text';
        return 'fine';
      };
      const live = await startLive({ auth: allow }, { eventLog: { label } });
      const thrower = await v4(live, { kind: 'throw' });
      await v4(live, { kind: 'number' });
      await v4(live, { kind: 'promise' });
      await v4(live, { kind: 'string' });
      const fine = await v4(live, {});
      await until(() => live.io.log.events().filter((e) => e.type === 'app.error').length === 4, 'four app errors');
      const appErrors = live.io.log.events().filter((e): e is LogEventOf<'app.error'> => e.type === 'app.error');
      expect(appErrors.map((e) => [e.errorType, e.message])).toEqual([
        ['LabelBug', `eventLog.label threw: no user for ${thrower.id}`],
        ['TypeError', 'eventLog.label must return a string, got a number'],
        ['TypeError', 'eventLog.label must return a string, got a promise (it must answer at once)'],
        ['Error', 'eventLog.label threw: plain text'],
      ]);
      // Each error is on its socket, recorded after that socket's connect.
      const events = live.io.log.events();
      const connectOf = (id: string) => events.findIndex((e) => e.type === 'socket.connect' && e.socketId === id);
      expect(appErrors[0]!.socketId).toBe(thrower.id);
      expect(events.indexOf(appErrors[0]!)).toBeGreaterThan(connectOf(thrower.id!));
      expect(
        connects(events)
          .filter((e) => e.label !== undefined)
          .map((e) => [e.socketId, e.label]),
      ).toEqual([[fine.id, 'fine']]);
      // The sockets work: the server carried on.
      live.io.on('connection', (socket) => socket.on('ping?', (ack: (x: string) => void) => ack('pong')));
      const late = await v4(live, { kind: 'throw' });
      await expect(late.timeout(2000).emitWithAck('ping?')).resolves.toBe('pong');
    } finally {
      console.error = originalError;
    }
    expect(errors.length).toBeGreaterThanOrEqual(4);
  });

  it('cuts a long label and escapes a hostile one wherever it is shown', async () => {
    const hostile = 'evil\u001b[2J\u202e<script>alert(1)</script>"\u2028';
    const live = await startLive({ auth: allow }, { eventLog: { label: (handshake) => String(handshake.auth.name) } });
    const long = await v4(live, { name: 'x'.repeat(100_000) });
    const bad = await v4(live, { name: hostile });
    await until(() => connects(live.io.log.events()).length === 2, 'two connects');
    const [first, second] = connects(live.io.log.events());
    expect(first!.socketId).toBe(long.id);
    expect(first!.label!.startsWith('x'.repeat(MAX_LABEL - 1))).toBe(true);
    expect(first!.label).toMatch(/…\[cut: 100000 chars, sha256 [0-9a-f]{12}\]$/);
    expect(second!.label).toBe(hostile);

    const html = renderTimelineHtml(live.io.log.events());
    expect(html).not.toContain('<script>alert');
    expect(hasRawControls(html)).toBe(false);
    expect(html).toContain('evil\\x1b[2J\\u202e&lt;script&gt;alert(1)&lt;/script&gt;&quot;\\u2028');

    const text = stories(live.io.log.events()).map(formatStory).join('');
    expect(hasRawControls(text)).toBe(false);
    expect(text).toContain('"evil\\x1b[2J\\u202e<script>alert(1)</script>"\\u2028"');
    // On the socket's line and, from its connect, on the timeline.
    expect(text).toContain(`label "evil\\x1b[2J\\u202e<script>alert(1)</script>"\\u2028"`);
    void bad;
  });

  it('is asked after the middlewares, so it can name the user an auth middleware found', async () => {
    const live = await startLive({ auth: allow }, { eventLog: { label: (_handshake, socket) => `user:${String(socket.data.user)}` } });
    live.io.use((socket, next) => {
      socket.data.user = socket.handshake.auth.token === 't-7' ? 7 : 'anonymous';
      next();
    });
    const seven = await v4(live, { token: 't-7' });
    await until(() => connects(live.io.log.events()).length === 1, 'the connect');
    expect(connects(live.io.log.events())[0]).toMatchObject({ socketId: seven.id, label: 'user:7' });
  });

  it('is checked with the other eventLog options', async () => {
    await expect(startLive({ auth: allow }, { eventLog: { label: 'user' as never } })).rejects.toThrow(
      /Invalid eventLog option:[\s\S]*label must be a function/,
    );
  });
});

/**
 * The event stream's live mode over real HTTP: a `live` listener gets the
 * model whole, then patches that bring it to what the log says; the model is
 * followed only while such a listener is there; a plain listener never
 * starts it; one that stops reading gets the whole model again once it
 * drains, without holding up the others.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { EventStream } from '../../src/inspect/event-stream';
import { LiveModelFollower, buildLiveModel, type LiveModel } from '../../src/inspect/live-model';
import { applyModelPatches } from '../../src/inspect/page-patches';
import { EventLog } from '../../src/log/event-log';
import { recordIdleSocket } from './fixture';
import { until } from './live';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function connect(log: EventLog, i: number): void {
  recordIdleSocket(log, i, 'lobby');
}

/** A stream served over HTTP, and a client collecting its messages by event name. */
async function serve(log: EventLog) {
  const follower = new LiveModelFollower({ log, nsps: new Map() });
  const stream = new EventStream(log, { interval: 50, patchInterval: 50 }, follower);
  /** The server side of each stream, in the order they were opened. */
  const responses: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    responses.push(res);
    stream.open(req, res, undefined, req.url!.includes('live=1'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    stream.close();
    server.closeAllConnections();
    server.close();
  });
  const listen = (path: string) => {
    const messages: { event: string; data: any }[] = [];
    let buffer = '';
    let response: http.IncomingMessage | undefined;
    const request = http.get(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, (res) => {
      response = res;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) messages.push({ event, data: JSON.parse(data) });
        }
      });
    });
    request.on('error', () => {});
    return {
      messages,
      close: () => request.destroy(),
      /** Stops reading: the server's writes pile up in the socket buffers, then in its own. */
      pause: () => response!.pause(),
      resume: () => response!.resume(),
    };
  };
  return { follower, listen, responses };
}

type Client = { messages: { event: string; data: any }[] };
const models = (client: Client) => client.messages.filter((m) => m.event === 'model');
const patches = (client: Client) => client.messages.filter((m) => m.event === 'patch');

/** The client's model: the latest whole one it got, with the patches that came after it applied. */
function followed(client: Client): unknown {
  const last = client.messages.map((m) => m.event).lastIndexOf('model');
  const copy = structuredClone(client.messages[last]!.data) as Record<string, unknown>;
  for (const message of client.messages.slice(last + 1)) {
    if (message.event !== 'patch') continue;
    applyModelPatches(copy, message.data.patches);
    copy.position = message.data.position;
  }
  return copy;
}

const fresh = (log: EventLog) => JSON.parse(JSON.stringify(buildLiveModel({ log, nsps: new Map() })));
const equal = (a: unknown, b: unknown) => isDeepStrictEqual(a, b);

describe('the event stream in live mode', () => {
  it('sends the model, then patches that bring it to the log; stops following when the listener leaves', async () => {
    const log = new EventLog({ node: 'n1' });
    for (let i = 0; i < 3; i++) connect(log, i);
    const { follower, listen } = await serve(log);
    const client = listen('/events?live=1');
    await until(() => client.messages.some((m) => m.event === 'model'), 'the model');
    const model = client.messages.find((m) => m.event === 'model')!.data as LiveModel;
    expect(model.totals.sockets).toBe(3);
    expect(follower.started).toBe(true);

    connect(log, 3);
    log.record({ type: 'room.leave', socketId: 'sid-0', nsp: '/', room: 'lobby' });
    log.record({ type: 'conn.heartbeat', sid: 'sid-1', step: 'ping-sent' });
    await until(() => client.messages.some((m) => m.event === 'patch'), 'a patch');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const copy = structuredClone(model) as unknown as Record<string, unknown>;
    for (const message of client.messages.filter((m) => m.event === 'patch')) {
      applyModelPatches(copy, message.data.patches);
      copy.position = message.data.position;
    }
    expect(copy).toEqual(JSON.parse(JSON.stringify(buildLiveModel({ log, nsps: new Map() }))));

    client.close();
    await until(() => !follower.started, 'the follower to stop');
  });

  it('gives a listener that stopped reading the whole model again once it drains; the others get every patch meanwhile', async () => {
    const log = new EventLog({ node: 'n1' });
    const sockets = 200;
    for (let i = 0; i < sockets; i++) connect(log, i);
    const { listen, responses } = await serve(log);
    const fast = listen('/events?live=1');
    await until(() => responses.length === 1, 'the first stream');
    const slow = listen('/events?live=1');
    await until(() => [fast, slow].every((client) => models(client).length === 1), 'both models');
    slow.pause();

    // Each round puts every socket in one more room of 1,000 characters: each patch carries all 200 entries, longer each time.
    let rounds = 0;
    const round = async () => {
      const room = `${rounds++}`.padEnd(1000, '.');
      for (let i = 0; i < sockets; i++) log.record({ type: 'room.join', socketId: `sid-${i}`, nsp: '/', room });
      await until(() => equal(followed(fast), fresh(log)), `the fast listener to follow round ${rounds}`, 10_000);
    };
    while (!responses[1]!.writableNeedDrain && rounds < 40) await round();
    expect(responses[1]!.writableNeedDrain).toBe(true);
    // Patches the slow listener cannot be sent: the fast one gets each as it comes.
    await round();
    await round();

    slow.resume();
    await until(() => models(slow).length === 2, 'the whole model again', 10_000);
    await round();
    await until(() => equal(followed(slow), fresh(log)), 'the slow listener to follow the last round', 10_000);
    // It got a patch for each round until it was blocked and for the last one, never for the two it missed.
    expect(patches(slow).length).toBe(rounds - 2);
    expect(models(fast)).toHaveLength(1);
    expect(patches(fast).length).toBeGreaterThanOrEqual(rounds);
    expect(equal(followed(fast), fresh(log))).toBe(true);
  });

  it('never builds the model for a listener that did not ask for it', async () => {
    const log = new EventLog({ node: 'n1' });
    connect(log, 0);
    const { follower, listen } = await serve(log);
    const client = listen('/events');
    await until(() => client.messages.some((m) => m.event === 'hello'), 'hello');
    connect(log, 1);
    await until(() => client.messages.some((m) => m.event === 'batch'), 'a batch');
    expect(client.messages.map((m) => m.event)).not.toContain('model');
    expect(client.messages.map((m) => m.event)).not.toContain('patch');
    expect(follower.started).toBe(false);
    client.close();
  });
});

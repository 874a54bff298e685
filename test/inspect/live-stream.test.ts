/**
 * The event stream's live mode over real HTTP: a `live` listener gets the
 * model whole, then patches that bring it to what the log says; the model is
 * followed only while such a listener is there; a plain listener never
 * starts it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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
  const server = http.createServer((req, res) => stream.open(req, res, undefined, req.url!.includes('live=1')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    stream.close();
    server.closeAllConnections();
    server.close();
  });
  const listen = (path: string) => {
    const messages: { event: string; data: any }[] = [];
    let buffer = '';
    const request = http.get(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, (res) => {
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
    return { messages, close: () => request.destroy() };
  };
  return { follower, listen };
}

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

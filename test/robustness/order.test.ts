/**
 * Per-socket order across the moments a transport changes: the server keeps
 * emitting (direct emits and room broadcasts, interleaved, some with binary
 * payloads) while a 2.x or 4.x client upgrades from polling to WebSocket;
 * every message arrives exactly once and in the order it was sent, and every
 * ack the client asked for during the upgrade fires exactly once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from '../../src/actors/socket';
import { connectClient, connected, type ClientGeneration } from './helpers/clients';
import { checkInvariants } from './helpers/invariants';
import { STEADY_HEARTBEAT, startIostate, until, type Running } from './helpers/server';

const MESSAGES = 400;

let running: Running | undefined;
const open: any[] = [];

afterEach(async () => {
  while (open.length > 0) open.pop().close();
  await running?.stop();
  running = undefined;
});

describe.each(['v2', 'v4'] as ClientGeneration[])('order across an upgrade (%s client)', (generation) => {
  it('direct emits, broadcasts and acks during the upgrade arrive once, in order', async () => {
    running = await startIostate(STEADY_HEARTBEAT);
    const io = running.io;
    let serverSocket: Socket | undefined;
    io.on('connection', (socket: Socket) => {
      serverSocket = socket;
      socket.join('room');
      socket.on('echo', (n: number, ack: (n: number) => void) => ack(n));
    });
    const client = connectClient(generation, running.url, 'upgrade');
    open.push(client);
    const received: number[] = [];
    client.on('n', (n: number, payload?: unknown) => {
      received.push(n);
      if (n % 10 === 0) expect(Buffer.isBuffer(payload) || payload instanceof ArrayBuffer).toBe(true);
    });
    await connected(client);
    const acks = new Map<number, number>();
    const engineSession = io.engine.clients[client.io.engine.id];
    let upgradedAt: number | undefined;

    // Spread the sends over several event-loop turns, so that the upgrade happens among them.
    for (let n = 1; n <= MESSAGES; n++) {
      const args: unknown[] = n % 10 === 0 ? [n, Buffer.from([n & 0xff])] : [n];
      if (upgradedAt === undefined && engineSession.transport.name === 'websocket') upgradedAt = n;
      if (n % 3 === 0) io.to('room').emit('n', ...args);
      else serverSocket!.emit('n', ...args);
      if (n % 20 === 0) {
        acks.set(n, 0);
        client.emit('echo', n, () => acks.set(n, acks.get(n)! + 1));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
    await until(() => received.length >= MESSAGES, `${MESSAGES} messages`, 5000);
    await until(() => [...acks.values()].every((calls) => calls > 0), 'every ack');
    expect(received).toEqual(Array.from({ length: MESSAGES }, (_, i) => i + 1));
    expect([...acks.values()].every((calls) => calls === 1)).toBe(true);
    // The upgrade really happened among the sends, not before or after them.
    expect(upgradedAt).toBeGreaterThan(1);
    expect(upgradedAt).toBeLessThanOrEqual(MESSAGES);
    expect(io.log.events().some((e) => e.type === 'conn.upgrade' && e.step === 'upgraded')).toBe(true);
    checkInvariants(io);
  });
});

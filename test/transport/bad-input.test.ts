/**
 * Arbitrary bytes from clients, on every transport and protocol: each input
 * either is understood or ends only its own session with a known reason,
 * the server never throws, and a bystander session keeps exchanging messages.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EngineSocket } from '../../src/transport/engine-socket';
import { handshake, request, startEngine, until, type TestEngine } from './helpers';

const REASONS = new Set(['parse error', 'transport error', 'transport close']);

let env: TestEngine;
let bystander: { ws: WebSocket; frames: string[] };
const opened: WebSocket[] = [];

beforeAll(async () => {
  env = await startEngine({ maxHttpBufferSize: 2000 });
  const accepted = env.nextConnection();
  const ws = new WebSocket(`ws://127.0.0.1:${env.port}/engine.io/?EIO=4&transport=websocket`);
  const frames: string[] = [];
  ws.on('message', (data: Buffer) => frames.push(data.toString()));
  const socket = await accepted;
  socket.on('message', (data) => socket.send(data));
  bystander = { ws, frames };
  await until(() => frames.length === 1);
});

afterAll(async () => {
  bystander.ws.terminate();
  for (const ws of opened) ws.terminate();
  await env.close();
});

/** Sessions end only with a known reason; the bystander still answers. */
async function checkServerHealthy(victims: EngineSocket[], reasons: string[]): Promise<void> {
  for (const reason of reasons) expect(REASONS.has(reason), reason).toBe(true);
  expect(victims.every((victim) => victim.readyState === 'open' || victim.readyState === 'closed')).toBe(true);
  const marker = `ping-${Math.random()}`;
  bystander.ws.send(`4${marker}`);
  await until(() => bystander.frames.includes(`4${marker}`));
}

const body = fc.oneof(
  fc.string({ maxLength: 64 }),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom('', '0', '4', '99999999999999999999:4', '3:4é', 'b', 'b4!!', '\x1e\x1e', '1:', '2:6', `${'9'.repeat(15)}:x`, 'd=%ZZ'),
);

describe('bad input', () => {
  it('polling bodies: any bytes to v3, v4 and JSONP sessions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('EIO=3&transport=polling', 'EIO=3&transport=polling&b64=1', 'EIO=4&transport=polling', 'EIO=3&transport=polling&j=0'),
        body,
        fc.boolean(),
        async (query, payload, octetStream) => {
          const accepted = env.nextConnection();
          const { sid } = await handshake(env.port, query);
          const victim = await accepted;
          const reasons: string[] = [];
          victim.on('close', (reason: string) => reasons.push(reason));
          const headers: Record<string, string> = octetStream ? { 'Content-Type': 'application/octet-stream' } : {};
          const response = await request(env.port, 'POST', `/engine.io/?${query}&sid=${sid}`, { body: payload, headers });
          expect([200, 400]).toContain(response.status);
          if (response.status === 400) await until(() => victim.readyState === 'closed');
          await checkServerHealthy([victim], reasons);
          victim.close(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('upgrade probes: any frame on a probing WebSocket fails or completes only that upgrade', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(3, 4), fc.boolean(), body, async (protocol, probeFirst, frame) => {
        const accepted = env.nextConnection();
        const { sid } = await handshake(env.port, `EIO=${protocol}&transport=polling`);
        const victim = await accepted;
        const ws = new WebSocket(`ws://127.0.0.1:${env.port}/engine.io/?EIO=${protocol}&transport=websocket&sid=${sid}`);
        opened.push(ws);
        ws.on('error', () => {});
        await new Promise((resolve) => ws.once('open', resolve));
        await until(() => victim.state === 'open.upgrading');
        if (probeFirst) ws.send('2probe');
        ws.send(frame);
        await new Promise((resolve) => setTimeout(resolve, 10));
        expect(['open.polling', 'open.upgrading', 'open.websocket', 'closed']).toContain(victim.state);
        await checkServerHealthy([victim], []);
        ws.terminate();
        victim.close(true);
      }),
      { numRuns: 40 },
    );
  });

  it('WebSocket frames: any text or binary frame to v3 and v4 sessions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(3, 4), body, async (protocol, frame) => {
        const accepted = env.nextConnection();
        const ws = new WebSocket(`ws://127.0.0.1:${env.port}/engine.io/?EIO=${protocol}&transport=websocket`);
        opened.push(ws);
        ws.on('error', () => {});
        const victim = await accepted;
        await new Promise((resolve) => ws.once('open', resolve));
        const reasons: string[] = [];
        victim.on('close', (reason: string) => reasons.push(reason));
        ws.send(frame);
        await new Promise((resolve) => setTimeout(resolve, 10));
        await checkServerHealthy([victim], reasons);
        ws.terminate();
      }),
      { numRuns: 60 },
    );
  });
});

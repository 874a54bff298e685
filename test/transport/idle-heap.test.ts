/**
 * Heap held by idle sessions on the server: EngineSocket, machine snapshot,
 * timer, transport, and what engine.io also keeps (the ws socket or pending
 * poll, the handshake request). Clients live in a child process so only the
 * server's heap is measured. socket.io 4 holds about 10.7 KB per idle socket.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { startEngine, until, type TestEngine } from './helpers';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const SESSIONS = 500;
let env: TestEngine | undefined;
let child: ReturnType<typeof fork> | undefined;

afterEach(async () => {
  child?.kill();
  child = undefined;
  await env?.close();
  env = undefined;
});

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  return process.memoryUsage().heapUsed;
}

async function heapPerIdleSession(mode: 'websocket' | 'polling'): Promise<number> {
  env = await startEngine({ perMessageDeflate: false });
  const before = await settledHeap();
  child = fork(new URL('./fixtures/idle-clients.mjs', import.meta.url).pathname, [String(env.port), String(SESSIONS), mode], { stdio: 'ignore' });
  await once(child, 'message');
  await until(() => env!.engine.clientsCount === SESSIONS);
  if (mode === 'polling') await until(() => Object.values(env!.engine.clients).every((socket) => socket.transport.writable));
  const perSession = ((await settledHeap()) - before) / SESSIONS / 1024;
  console.log(`heap per idle ${mode} session: ${perSession.toFixed(2)} KB`);
  return perSession;
}

describe('heap per idle session', () => {
  it(`stays under socket.io 4's 10.7 KB per idle socket over websocket (${SESSIONS} sessions)`, async () => {
    expect(await heapPerIdleSession('websocket')).toBeLessThan(10.7);
  }, 60_000);

  it(`stays under 10.7 KB per idle session over polling, a pending GET each (${SESSIONS} sessions)`, async () => {
    expect(await heapPerIdleSession('polling')).toBeLessThan(10.7);
  }, 60_000);
});

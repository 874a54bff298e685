/**
 * Connection state recovery's `settledMs` (pingInterval + pingTimeout: how
 * soon the engine notices a dead transport) comes from the engine the server
 * serves through, an engine.io server bound with `io.bind(engine)` included:
 * engine.io 3 keeps its ping settings as its own fields, engine.io 4 and
 * later under `opts`. A wrong value makes the store judge too early, or too
 * late, that an evicted packet had reached a socket.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Server } from '../../src/actors/server';
import { engineIo3, engineIo6 } from '../interop/harness/foreign-engines';
import type { EngineServer } from '../../src/transport/engine-server';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function recoveringServer(): Server {
  const io = new Server({ serveClient: false, connectionStateRecovery: {} });
  cleanups.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
  return io;
}

describe('recovery settledMs of a bound engine.io server', () => {
  it('takes an engine.io 6 server’s ping settings (under opts)', () => {
    const io = recoveringServer();
    const engine = new engineIo6.Server({ pingInterval: 2000, pingTimeout: 1000 });
    cleanups.push(() => engine.close());
    io.bind(engine as EngineServer);
    expect(io.recovery!.settledMs).toBe(3000);
  });

  it('takes an engine.io 3 server’s ping settings (its own fields)', () => {
    const io = recoveringServer();
    io.bind(new engineIo3.Server({ pingInterval: 1234, pingTimeout: 567 }) as EngineServer);
    expect(io.recovery!.settledMs).toBe(1801);
  });

  it('takes its own engine’s when attached', () => {
    const io = new Server({ serveClient: false, connectionStateRecovery: {}, pingInterval: 3000, pingTimeout: 2000 });
    cleanups.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
    io.attach(0);
    expect(io.recovery!.settledMs).toBe(5000);
  });
});

/**
 * Namespace names past 16,383 characters are refused before any lookup. V8
 * hashes longer strings by their length alone, so hundreds of such names in
 * the maps keyed by names made each lookup compare them all (seconds of CPU
 * per hostile connection). A dynamic parent that accepts every name must not
 * change that, on either protocol; a name at the bound still connects.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_NAMESPACE_NAME_LENGTH } from '../../src/actors/client';
import { RawSession, type Protocol } from './helpers/raw';
import { startIostate, until, type Running } from './helpers/server';

let running: Running | undefined;
let session: RawSession | undefined;
afterEach(async () => {
  session?.ws?.close();
  session = undefined;
  await running?.stop();
  running = undefined;
});

describe('namespace names longer than the bound', () => {
  for (const protocol of [3, 4] as Protocol[]) {
    it(`are refused as an invalid namespace while a name at the bound connects (Engine.IO v${protocol})`, async () => {
      running = await startIostate();
      const created: string[] = [];
      running.io
        .of((_name: string, _query: unknown, next: (err: Error | null, ok: boolean) => void) => next(null, true))
        .on('connection', (socket) => created.push(socket.nsp.name));
      session = await RawSession.open(running.port, protocol, 'websocket');
      const atBound = `/${'a'.repeat(MAX_NAMESPACE_NAME_LENGTH - 1)}`;
      const tooLong = `/${'b'.repeat(MAX_NAMESPACE_NAME_LENGTH)}`;
      await session.message(`0${tooLong},`);
      await session.message(`0${atBound},`);
      await until(() => created.length === 1, 'the namespace at the bound to connect', 10_000);
      await until(() => session!.received.some((m) => m.startsWith(`44${tooLong},`)), 'the refusal of the long name', 10_000);
      expect(created).toEqual([atBound]);
      const refusal = session.received.find((m) => m.startsWith(`44${tooLong},`));
      expect(refusal).toBeDefined();
      expect(refusal!.slice(`44${tooLong},`.length)).toBe(protocol === 3 ? '"Invalid namespace"' : '{"message":"Invalid namespace"}');
      expect(Object.keys(running.io.nsps)).not.toContain(tooLong);
    });
  }
});

// The server under test. IOSTATE_INTEROP_TARGET=socket.io-v2 runs the same
// scenarios against the real socket.io 2 server, whose behaviour is the truth
// for what the spec means; only 2.x clients can talk to it.
import { createRequire } from 'node:module';
import { it } from 'vitest';
import socketIoV2 from 'socket.io-v2';
import type { ServerLike } from './api';

export type TargetName = 'iostate' | 'socket.io-v2';
export type Generation = 2 | 4;

function readTargetName(): TargetName {
  const value = process.env.IOSTATE_INTEROP_TARGET ?? 'iostate';
  if (value !== 'iostate' && value !== 'socket.io-v2') {
    throw new Error(`IOSTATE_INTEROP_TARGET must be "iostate" or "socket.io-v2", got "${value}"`);
  }
  return value;
}

export const targetName: TargetName = readTargetName();
export const isReference = targetName === 'socket.io-v2';

type ServerConstructor = new (...args: unknown[]) => ServerLike;

// Loaded only when it is the target, so the reference runs while src/ is in flux.
const iostate: Record<string, unknown> = isReference ? {} : await import('../../../src');

function iostateServerClass(): ServerConstructor {
  const exported = iostate.Server;
  if (typeof exported !== 'function') throw new Error('src/index.ts does not export a Server class');
  return exported as ServerConstructor;
}

/** The Server class of `target`, to be called with `new`. */
function ServerClass(target: TargetName): ServerConstructor {
  return target === 'socket.io-v2' ? (socketIoV2 as ServerConstructor) : iostateServerClass();
}

/** `new Server(...args)`: the constructor every scenario uses unless it tests another form. */
export function createServer(...args: unknown[]): ServerLike {
  return createServerOn(targetName, ...args);
}

/** `new Server(...args)` of a given target, for scenarios that compare both (harness/match-reference.ts). */
export function createServerOn(target: TargetName, ...args: unknown[]): ServerLike {
  const Server = ServerClass(target);
  return new Server(...args);
}

/** A standalone engine.io 3 server, the kind socket.io 2 users pass to `bind(engine)`. */
export function createEngineIo3(httpServer: unknown, options: Record<string, unknown>): any {
  const requireFromV2 = createRequire(createRequire(import.meta.url).resolve('socket.io-v2'));
  return requireFromV2('engine.io').attach(httpServer, options);
}

/** Which client generations the target can serve. */
export function targetSpeaks(generation: Generation): boolean {
  return !isReference || generation === 2;
}

/**
 * A test of behaviour that iostate adds beyond socket.io 2 (asked for by the
 * issue, absent from the reference): skipped when the reference is the target.
 */
export const itBeyondReference: typeof it.skip = isReference ? it.skip : it;

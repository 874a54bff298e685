// Differential runs: one scenario against iostate and against the server it
// must behave like, in the same test, and the two transcripts compared.
// Engine.IO v3 (socket.io-client 2.x) is compared with socket.io 2.5.1;
// v4 (3.x/4.x clients), which socket.io 2.5.1 does not speak, with socket.io 4.
//
// A scenario returns what the client and the app saw (statuses, packets,
// events), already stripped of what legitimately differs between two runs
// (session ids, timings); the test then expects the transcripts equal, and
// states the behaviour itself on iostate's, so that a wrong reference or a
// wrong scenario cannot make it pass.
import { createServer as createHttpServer } from 'node:http';
import { describe } from 'vitest';
import socketIoV2 from 'socket.io-v2';
import { Server as SocketIo4 } from 'socket.io';
import type { ClientKind } from './clients';
import { allClients } from './clients';
import { closeIo, onCleanup, closeHttp, listen } from './fixture';
import { createServer, isReference, targetName, type Generation } from './target';
import type { ServerLike } from './api';

export type Protocol = 3 | 4;
export type SideName = 'iostate' | 'socket.io 2.5.1' | 'socket.io 4';

/** A running server: iostate (the interop target) or a reference. */
export interface Side {
  name: SideName;
  io: ServerLike & { engine: any };
  port: number;
  url: string;
}

/** The reference for a protocol: the 2.x server for v3, socket.io 4 for v4. */
export function referenceFor(protocol: Protocol): SideName {
  return protocol === 3 ? 'socket.io 2.5.1' : 'socket.io 4';
}

function protocolOf(generation: Generation): Protocol {
  return generation === 2 ? 3 : 4;
}

/** Starts `name` with `options` on a fresh port; closed after the test. */
export async function startSide(name: SideName, options: Record<string, unknown> = {}): Promise<Side> {
  const httpServer = createHttpServer();
  const io = (
    name === 'iostate'
      ? createServer(httpServer, options)
      : name === 'socket.io 2.5.1'
        ? new socketIoV2(httpServer, options)
        : new SocketIo4(httpServer, options)
  ) as Side['io'];
  const port = await listen(httpServer);
  onCleanup(async () => {
    await closeIo(io);
    if (httpServer.listening) await closeHttp(httpServer);
  });
  return { name, io, port, url: `http://127.0.0.1:${port}` };
}

/**
 * Runs `scenario` on iostate and on the reference for `protocol`, one after
 * the other (each on its own server), and returns both transcripts.
 */
export async function differential<T>(
  protocol: Protocol,
  scenario: (side: Side) => Promise<T>,
  options: Record<string, unknown> = {},
): Promise<{ ours: T; theirs: T }> {
  const ours = await scenario(await startSide('iostate', options));
  const theirs = await scenario(await startSide(referenceFor(protocol), options));
  return { ours, theirs };
}

/**
 * Each scenario once per Engine.IO protocol. With IOSTATE_INTEROP_TARGET set
 * to the 2.x reference, "iostate" is socket.io 2.5.1 itself, which has no v4.
 */
export function forEachProtocol(body: (protocol: Protocol) => void): void {
  for (const protocol of [3, 4] as const) {
    describe.skipIf(isReference && protocol === 4)(`EIO=${protocol}: ${targetName} vs ${referenceFor(protocol)}`, () => body(protocol));
  }
}

/** Each scenario once per client generation, compared with that generation's reference server. */
export function forEachClientAgainstReference(body: (kind: ClientKind, protocol: Protocol) => void): void {
  for (const kind of allClients) {
    const protocol = protocolOf(kind.generation);
    describe.skipIf(isReference && protocol === 4)(`${kind.name}: ${targetName} vs ${referenceFor(protocol)}`, () => body(kind, protocol));
  }
}

// A 4.x client's packet for a namespace the server has just disconnected it
// from (an ack or event sent while the DISCONNECT was on its way) is ignored
// by iostate, either face, as 2.5.1 ignores it from a 2.x client; socket.io 4
// takes it for an invalid state and closes the whole connection
// (docs/differences.md, docs/migrating-from-socket.io-4.md).
import { createServer as createHttpServer } from 'node:http';
import { io as connect } from 'socket.io-client';
import { expect, it } from 'vitest';
import { Server as IostateV4 } from '../../src/v4';
import { startSide, type Side, type SideName } from './harness/differential';
import { closeHttp, listen, onCleanup, waitUntil } from './harness/fixture';
import { isReference } from './harness/target';

/** iostate's v4 face, which startSide does not make. */
async function startV4Face(): Promise<Pick<Side, 'io' | 'url'>> {
  const httpServer = createHttpServer();
  const io: any = new IostateV4(httpServer);
  const port = await listen(httpServer);
  onCleanup(async () => {
    await io.close();
    if (httpServer.listening) await closeHttp(httpServer);
  });
  return { io, url: `http://127.0.0.1:${port}` };
}

/** `/`'s fate after the client sent an event to `/a`, which the server had disconnected. */
async function afterLatePacket(sideName: SideName | 'iostate/v4'): Promise<string[]> {
  const side = sideName === 'iostate/v4' ? await startV4Face() : await startSide(sideName);
  side.io.on('connection', (socket: any) => {
    socket.on('ping?', (ack: (answer: string) => void) => ack('pong'));
  });
  side.io.of('/a').on('connection', (socket: any) => socket.disconnect());
  const root = connect(side.url, { forceNew: true, reconnection: false, transports: ['websocket'] });
  onCleanup(() => {
    root.close();
  });
  const seen: string[] = [];
  root.on('disconnect', (reason) => seen.push(`/ disconnect: ${reason}`));
  await new Promise((resolve) => root.once('connect', () => resolve(undefined)));
  const a = root.io.socket('/a');
  await new Promise((resolve) => a.once('disconnect', () => resolve(undefined)));
  // What the client would have sent before it read the DISCONNECT.
  (root.io as any).engine.write('2/a,["late"]');
  const answer = await Promise.race([root.timeout(5000).emitWithAck('ping?'), new Promise((resolve) => root.once('disconnect', () => resolve('no answer')))]);
  seen.push(String(answer));
  await waitUntil(() => root.connected || (root.io as any)._readyState === 'closed');
  return seen;
}

it.skipIf(isReference)('an event for a namespace the server left: iostate ignores it, socket.io 4 closes the connection', async () => {
  expect(await afterLatePacket('socket.io 4')).toEqual(['/ disconnect: transport close', 'no answer']);
  expect(await afterLatePacket('iostate')).toEqual(['pong']);
  expect(await afterLatePacket('iostate/v4')).toEqual(['pong']);
});

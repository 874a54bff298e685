// socket.disconnect(true) to a 4.x client on polling: the DISCONNECT and the
// engine's close packet must not share a poll response. socket.io-client 4
// hands a response's Socket.IO packets over a tick late, so a close packet in
// the same response overtook the DISCONNECT: the client saw `transport close`,
// then a second disconnect, `io server disconnect`. socket.io 4's engine sends
// the close packet on the next poll; the client sees `io server disconnect` alone.
import { io as connect } from 'socket.io-client';
import { expect, it } from 'vitest';
import { startSide, type SideName } from './harness/differential';
import { onCleanup, waitUntil } from './harness/fixture';
import { isReference } from './harness/target';

/** What a polling-only 4.x client's `/` sees when the app disconnects it with close. */
async function disconnectsSeen(sideName: SideName): Promise<string[]> {
  const side = await startSide(sideName);
  side.io.on('connection', (socket: any) => socket.on('bye', () => socket.disconnect(true)));
  const client = connect(side.url, { forceNew: true, reconnection: false, transports: ['polling'] });
  onCleanup(() => {
    client.close();
  });
  const seen: string[] = [];
  client.on('disconnect', (reason) => seen.push(reason));
  await new Promise((resolve) => client.once('connect', () => resolve(undefined)));
  client.emit('bye');
  await waitUntil(() => seen.length > 0 && (client.io as any)._readyState === 'closed');
  // One more round trip on a fresh client: anything still due to the first has been handled by then.
  const probe = connect(side.url, { forceNew: true, reconnection: false, transports: ['polling'] });
  onCleanup(() => {
    probe.close();
  });
  await new Promise((resolve) => probe.once('connect', () => resolve(undefined)));
  return seen;
}

it.skipIf(isReference)('socket.disconnect(true) over polling: a 4.x client sees one disconnect, io server disconnect, as with socket.io 4', async () => {
  const theirs = await disconnectsSeen('socket.io 4');
  const ours = await disconnectsSeen('iostate');
  expect(theirs).toEqual(['io server disconnect']);
  expect(ours).toEqual(theirs);
});

// An event that completes in the same read as its namespace's DISCONNECT is
// dropped, never dispatched, as socket.io 2.5.1 does: it dispatches events a
// tick after reading them, and the DISCONNECT read with them wins.
import { expect } from 'vitest';
import { nextEvent, type ClientKind, type SocketLike } from './harness';
import { itMatchesReference, type Side } from './harness/match-reference';
import { pollingPayload, RawSession, type Protocol } from '../robustness/helpers/raw';

/** What the app saw on /chat: events, then the disconnect, once all of it has run. */
async function observe(socket: SocketLike, act: () => Promise<unknown> | void): Promise<string[]> {
  const seen: string[] = [];
  socket.on('x', (value: unknown) => seen.push(`x ${Buffer.isBuffer(value) ? `<${[...value]}>` : JSON.stringify(value)}`));
  const disconnected = nextEvent(socket, 'disconnect');
  socket.on('disconnect', (reason: string) => seen.push(`disconnect: ${reason}`));
  await act();
  await disconnected;
  // socket.io 2.x dispatches within two ticks of the read; both are over by the next macrotask.
  await new Promise((resolve) => setImmediate(resolve));
  return seen;
}

itMatchesReference(
  'a binary event whose attachment arrives with the DISCONNECT is dropped (polling client)',
  async (side, kind) => {
    const fixture = await side.start();
    const { client, socket } = await fixture.pair(kind, '/chat', { transports: ['polling'] });
    return observe(socket, () => {
      // The client sends the header at once, then its attachment and the DISCONNECT in one POST.
      client.emit('x', Buffer.from([1, 2]));
      client.disconnect();
    });
  },
  {
    reference: (seen) => expect(seen).toEqual(['disconnect: client namespace disconnect']),
  },
);

async function rawChat(side: Side, kind: ClientKind) {
  const fixture = await side.start();
  const protocol: Protocol = kind.generation === 2 ? 3 : 4;
  const session = await RawSession.open(fixture.port, protocol, 'polling');
  const connected = nextEvent(fixture.io.of('/chat'), 'connection');
  await session.message(protocol === 3 ? '0/chat' : '0/chat,');
  const [socket] = await connected;
  return { session, socket: socket as SocketLike, protocol };
}

for (const payload of ['text', 'binary'] as const) {
  itMatchesReference(
    `a ${payload} event read together with its namespace's DISCONNECT is dropped; one read before it is dispatched`,
    async (side, kind) => {
      const { session, socket, protocol } = await rawChat(side, kind);
      const event = payload === 'text' ? ['42/chat,["x",1]'] : ['451-/chat,["x",{"_placeholder":true,"num":0}]', protocol === 3 ? 'b4AQI=' : 'bAQI='];
      try {
        return await observe(socket, async () => {
          await session.post(pollingPayload(protocol, ['42/chat,["x","alone"]']));
          await session.post(pollingPayload(protocol, [...event, '41/chat']));
        });
      } finally {
        session.close();
      }
    },
    {
      reference: (seen) => expect(seen).toEqual(['x "alone"', 'disconnect: client namespace disconnect']),
    },
  );
}

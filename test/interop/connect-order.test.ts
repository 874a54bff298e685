// A 2.x client is connected to `/` by the server, and its CONNECT to another
// namespace waits until `/`'s middlewares have let it in, as socket.io 2.5.1
// buffers it: `io.use` guards every namespace of a 2.x connection.
import { expect } from 'vitest';
import { clientV2, withTimeout, waitUntil, type SocketLike } from './harness';
import { itMatchesReference, type Side } from './harness/match-reference';

/** Calls `then` once the connection of `socket` has received the client's CONNECT to `nsp`. */
function onceConnectArrives(socket: SocketLike, nsp: string, then: () => void): void {
  const listener = (data: unknown) => {
    if (typeof data !== 'string' || !data.startsWith(`0${nsp}`)) return;
    socket.conn.removeListener('message', listener);
    setImmediate(then);
  };
  socket.conn.on('message', listener);
}

async function chatBehindRoot(side: Side, rootDecision: 'accept' | 'refuse') {
  const fixture = await side.start();
  const order: string[] = [];
  fixture.io.use((socket, next) => {
    order.push('middleware /');
    onceConnectArrives(socket, '/chat', () => next(rootDecision === 'refuse' ? new Error('who are you?') : undefined));
  });
  const chat = fixture.io.of('/chat');
  chat.use((_socket, next) => {
    order.push('middleware /chat');
    next();
  });
  fixture.io.on('connection', () => order.push('connection /'));
  chat.on('connection', () => order.push('connection /chat'));
  const client = fixture.client(clientV2, '/chat');
  const outcome = await client.settled();
  if (rootDecision === 'accept')
    await withTimeout(
      waitUntil(() => order.length >= 4),
      3000,
      'both connections',
    );
  return { order, outcome };
}

itMatchesReference('a 2.x CONNECT to /chat waits for the middlewares of /, which run first', (side) => chatBehindRoot(side, 'accept'), {
  clients: [clientV2],
  reference: (observed) => {
    expect(observed.order).toEqual(['middleware /', 'middleware /chat', 'connection /', 'connection /chat']);
    expect(observed.outcome).toEqual({ type: 'connected' });
  },
});

itMatchesReference('a 2.x client refused by the middlewares of / never reaches /chat', (side) => chatBehindRoot(side, 'refuse'), {
  clients: [clientV2],
  reference: (observed) => {
    expect(observed.order).toEqual(['middleware /']);
    expect(observed.outcome).toEqual({ type: 'refused', message: 'who are you?' });
  },
});

itMatchesReference(
  'after / refused a 2.x client, its later CONNECTs to existing namespaces are never answered',
  async (side) => {
    const fixture = await side.start();
    const order: string[] = [];
    fixture.io.use((_socket, next) => next(new Error('who are you?')));
    const chat = fixture.io.of('/chat');
    chat.use((_socket, next) => {
      order.push('middleware /chat');
      next();
    });
    chat.on('connection', () => order.push('connection /chat'));
    const client = fixture.client(clientV2, '/');
    const outcome = await client.settled();
    const toChat = client.sibling('/chat');
    // Packets are handled in order: once /nope is answered, /chat's CONNECT has been dealt with.
    const toUnknown = await client.sibling('/nope').settled();
    return { outcome, toUnknown, order, chatConnected: toChat.connected };
  },
  {
    clients: [clientV2],
    reference: (observed) => {
      expect(observed.toUnknown).toEqual({ type: 'refused', message: 'Invalid namespace' });
      expect(observed.order).toEqual([]);
    },
  },
);

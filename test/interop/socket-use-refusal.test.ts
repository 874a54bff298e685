// A socket.use middleware that refuses a packet, compared with socket.io
// 2.5.1: a 2.x client gets an ERROR packet (the error's data, else its
// message) and nothing else happens; the app sees no 'error' event.
import { expect } from 'vitest';
import { clientV2, nextEvent } from './harness';
import { itMatchesReference } from './harness/match-reference';

itMatchesReference(
  'a socket.use refusal sends a 2.x client an ERROR packet, and nothing else',
  async (side, kind) => {
    const fixture = await side.start();
    const { client, socket } = await fixture.pair(kind);
    const appErrors: string[] = [];
    socket.on('error', (err: Error) => appErrors.push(err.message));
    socket.use((packet, next) => {
      if (packet[0] === 'refused') return next(new Error('not allowed'));
      if (packet[0] === 'refused-with-data') return next(Object.assign(new Error('not allowed'), { data: { code: 403 } }));
      next();
    });
    const handled: string[] = [];
    for (const event of ['refused', 'refused-with-data']) socket.on(event, () => handled.push(event));
    const frames = client.collectFrames();
    const clientErrors = client.collect('error');
    const allowed = nextEvent(socket, 'allowed');
    client.emit('refused', 1);
    client.emit('refused-with-data', 2);
    client.emit('allowed');
    await allowed;
    const done = client.next('done');
    socket.emit('done');
    await done;
    return { frames, clientErrors, appErrors, handled, stillConnected: client.connected && socket.connected };
  },
  {
    clients: [clientV2],
    reference: (observed) => {
      expect(observed.frames).toEqual(['4"not allowed"', '4{"code":403}', '2["done"]']);
      expect(observed.appErrors).toEqual([]);
    },
  },
);

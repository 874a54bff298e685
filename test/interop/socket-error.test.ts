// socket.error(data), compared with socket.io 2.5.1: a 2.x client gets an
// ERROR packet carrying `data` as given (an object stays an object, a string
// a string), and the app's own 'error' listeners are not called.
import { expect } from 'vitest';
import { clientV2 } from './harness';
import { itMatchesReference } from './harness/match-reference';

itMatchesReference(
  'socket.error(data) sends a 2.x client an ERROR packet with data as given',
  async (side, kind) => {
    const fixture = await side.start();
    const { client, socket } = await fixture.pair(kind);
    const appErrors: string[] = [];
    socket.on('error', (err: Error) => appErrors.push(String(err?.message ?? err)));
    const frames = client.collectFrames();
    const clientErrors = client.collect('error');
    (socket as any).error({ code: 42, reason: 'quota' });
    (socket as any).error('plain words');
    const done = client.next('done');
    socket.emit('done');
    await done;
    return { frames, clientErrors, appErrors, stillConnected: client.connected && socket.connected };
  },
  {
    clients: [clientV2],
    reference: (observed) => {
      expect(observed.frames).toEqual(['4{"code":42,"reason":"quota"}', '4"plain words"', '2["done"]']);
      expect(observed.appErrors).toEqual([]);
    },
  },
);

// Malformed Socket.IO packets from one client: the server neither throws nor
// stalls, and a bystander on the same server carries on. (What happens to the
// offender, an error or a disconnection, is the server's choice.)
import { expect, it } from 'vitest';
import { forEachClient, sleep, startServer, withTimeout } from './harness';

const BAD_PACKETS: Array<[string, Array<string | Buffer>]> = [
  ['bad JSON', ['2["unterminated']],
  ['a non-string event name', ['2[1,2]']],
  ['an empty event array', ['2[]']],
  ['a bad ack id', ['3abc[]']],
  ['an unknown ack id', ['3999["late"]']],
  ['a placeholder out of range', ['51-["x",{"_placeholder":true,"num":5}]', Buffer.from([1])]],
  ['more attachments announced than sent', ['53-["x",{"_placeholder":true,"num":0}]', Buffer.from([1]), '2["next"]']],
  ['an unknown packet type', ['9["x"]']],
  ['an event for a namespace it never joined', ['2/elsewhere,["x"]']],
];

forEachClient((kind) => {
  for (const [what, frames] of BAD_PACKETS) {
    it(`${what}: the server survives and a bystander is unaffected`, async () => {
      const fixture = await startServer();
      fixture.io.of('/elsewhere');
      const offender = await fixture.pair(kind, '/', { transports: ['websocket'] });
      const bystander = await fixture.pair(kind, '/', { transports: ['websocket'] });
      bystander.socket.on('echo', (value: unknown, fn: (v: unknown) => void) => fn(value));
      offender.socket.on('error', () => undefined);

      for (const frame of frames) offender.client.raw.io.engine.write(frame);
      await sleep(30);

      expect(await bystander.client.ack('echo', what)).toEqual([what]);
      const newcomer = await fixture.pair(kind);
      newcomer.socket.on('echo', (value: unknown, fn: (v: unknown) => void) => fn(value));
      expect(await newcomer.client.ack('echo', 'hello')).toEqual(['hello']);
      // The offender is either still served or disconnected; it is never left half-alive.
      if (offender.socket.connected) {
        offender.socket.on('echo', (value: unknown, fn: (v: unknown) => void) => fn(value));
        expect(await offender.client.ack('echo', 'still here')).toEqual(['still here']);
      } else {
        await withTimeout(
          new Promise<void>((resolve) => (offender.client.connected ? offender.client.raw.once('disconnect', () => resolve()) : resolve())),
          2000,
          'the client was not told',
        );
      }
    });
  }
});

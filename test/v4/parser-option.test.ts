// The `parser` option on iostate/v4, compared with socket.io 4.8: a custom
// parser (here one that writes each packet as a JSON document, as in
// socket.io's documentation of custom parsers) replaces socket.io-parser on
// the server, and the client given the same parser talks to it.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Socket } from '../../src/v4';
import { connected, differential, next } from './harness';

/** A whole packet per message, as JSON: no binary attachments (Buffers travel as JSON). */
const jsonParser = {
  Encoder: class {
    encode(packet: unknown): string[] {
      return [JSON.stringify(packet)];
    }
  },
  Decoder: class extends EventEmitter {
    add(chunk: string): void {
      const packet = JSON.parse(chunk) as unknown;
      if (typeof packet !== 'object' || packet === null) throw new Error('invalid packet');
      this.emit('decoded', packet);
    }
    destroy(): void {}
  },
};

describe('iostate/v4 parser option, compared with socket.io 4.8', () => {
  it('a custom parser carries connect, events, acks and broadcasts', async () => {
    const { ours, theirs } = await differential(
      async (side) => {
        const connection = next<[Socket]>(side.io, 'connection');
        const client = side.client('/', { parser: jsonParser, auth: { who: 'json' } } as never);
        const [socket] = await connection;
        await connected(client);
        socket.on('double', (n: number, ack: (answer: number) => void) => ack(n * 2));
        const answer = await client.emitWithAck('double', 21);
        const news = next<[unknown]>(client, 'news');
        side.io.emit('news', { nested: [1, 'two'] });
        const fromServer = await socket
          .timeout(1000)
          .emitWithAck('ask')
          .catch((err: Error) => err.message);
        return { auth: socket.handshake.auth, answer, news: (await news)[0], fromServer };
      },
      { parser: jsonParser },
    );
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({ auth: { who: 'json' }, answer: 42, news: { nested: [1, 'two'] }, fromServer: 'operation has timed out' });
  });
});

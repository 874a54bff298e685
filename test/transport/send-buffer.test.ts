/** A client that does not take what it is sent cannot hold the server's memory: maxBufferedBytes. */
import { afterEach, describe, expect, it } from 'vitest';
import { PreparedMessage } from '../../src/transport/prepared-message';
import { closeOf, handshake, request, startEngine, type TestEngine } from './helpers';

let env: TestEngine | undefined;

afterEach(async () => {
  await env?.close();
  env = undefined;
});

describe('maxBufferedBytes', () => {
  it('ends a polling session whose client never polls once its queue passes the bound, naming size and limit', async () => {
    env = await startEngine({ maxBufferedBytes: 100_000, pingInterval: 10_000, pingTimeout: 10_000 });
    const accepted = env.nextConnection();
    const { sid } = await handshake(env.port, 'EIO=4&transport=polling');
    const socket = await accepted;
    const closed = closeOf(socket);
    socket.send('x'.repeat(40_000));
    socket.sendPrepared(new PreparedMessage(['y'.repeat(40_000)]));
    expect(socket.readyState).toBe('open');
    socket.send('z'.repeat(40_000));
    const [reason, details] = await closed;
    expect(reason).toBe('transport error');
    expect(details).toMatchObject({ initiator: 'server', size: 120_000, limit: 100_000 });
    expect(details.description).toMatch(/maxBufferedBytes/);
    expect((await request(env.port, 'GET', `/engine.io/?EIO=4&transport=polling&sid=${sid}`)).status).toBe(400);
  });

  it('a client that polls keeps its session however much it is sent in total', async () => {
    env = await startEngine({ maxBufferedBytes: 100_000, pingInterval: 10_000, pingTimeout: 10_000 });
    const accepted = env.nextConnection();
    const { sid } = await handshake(env.port, 'EIO=4&transport=polling');
    const socket = await accepted;
    for (let round = 0; round < 5; round++) {
      socket.send('x'.repeat(60_000));
      const response = await request(env.port, 'GET', `/engine.io/?EIO=4&transport=polling&sid=${sid}`);
      expect(response.text.length).toBeGreaterThanOrEqual(60_000);
    }
    expect(socket.readyState).toBe('open');
  });
});

// Socket: send, emit, acknowledgements both ways, binary payloads, compress and flags.
import { expect, it } from 'vitest';
import { emitWithAck, forEachClient, nextEvent, startServer } from './harness';

/** Buffers arrive in Node clients as Buffer or ArrayBuffer depending on generation and transport. */
function bytes(value: unknown): number[] {
  if (Buffer.isBuffer(value)) return [...value];
  if (value instanceof ArrayBuffer) return [...new Uint8Array(value)];
  if (ArrayBuffer.isView(value)) return [...new Uint8Array(value.buffer, value.byteOffset, value.byteLength)];
  throw new Error(`not binary: ${Object.prototype.toString.call(value)}`);
}

forEachClient((kind) => {
  for (const transport of ['polling', 'websocket'] as const) {
    it(`server emit with several arguments reaches the client (${transport})`, async () => {
      const fixture = await startServer();
      const { client, socket } = await fixture.pair(kind, '/', { transports: [transport] });
      const received = client.next('news');
      expect(socket.emit('news', 'a', 2, { three: [3] }, null)).toBe(socket);
      expect(await received).toEqual(['a', 2, { three: [3] }, null]);
    });

    it(`client emit reaches socket.on with every argument (${transport})`, async () => {
      const fixture = await startServer();
      const { client, socket } = await fixture.pair(kind, '/', { transports: [transport] });
      const received = nextEvent(socket, 'news');
      client.emit('news', 'a', 2, { three: [3] });
      expect(await received).toEqual(['a', 2, { three: [3] }]);
    });
  }

  it('socket.send emits a "message" event, both ways', async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind);
    const toClient = client.next('message');
    expect(socket.send('hello', 1)).toBe(socket);
    expect(await toClient).toEqual(['hello', 1]);
    const toServer = nextEvent(socket, 'message');
    client.send('back', 2);
    expect(await toServer).toEqual(['back', 2]);
  });

  it('ack from the server: the client callback gets the handler answer', async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind);
    socket.on('ferret', (name: string, fn: (...args: unknown[]) => void) => fn('woot', name));
    expect(await client.ack('ferret', 'tobi')).toEqual(['woot', 'tobi']);
  });

  it('ack from the client: socket.emit(..., ack) is called with the client answer', async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind);
    client.on('ferret', (name: string, fn: (...args: unknown[]) => void) => fn('woot', name));
    expect(await emitWithAck(socket, 'ferret', 'tobi')).toEqual(['woot', 'tobi']);
  });

  it('an ack callback fires at most once even if the client answers twice', async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind);
    client.on('twice', (fn: (n: number) => void) => {
      fn(1);
      fn(2);
    });
    const answers: unknown[] = [];
    socket.emit('twice', (n: unknown) => answers.push(n));
    const marker = nextEvent(socket, 'marker');
    client.on('ping-marker', () => client.emit('marker'));
    socket.emit('ping-marker');
    await marker;
    expect(answers).toEqual([1]);
  });

  it('Buffers nested in objects reach the client intact, in order', async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind);
    const received = client.next('with-binary');
    socket.emit('with-binary', 1, '2', { 3: '4', 5: Buffer.from([6, 7]), deep: [{ b: Buffer.from([8]) }] });
    const [one, two, object] = await received;
    expect([one, two, object[3]]).toEqual([1, '2', '4']);
    expect(bytes(object[5])).toEqual([6, 7]);
    expect(bytes(object.deep[0].b)).toEqual([8]);
  });

  it('typed arrays and ArrayBuffers are sent as binary too', async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind);
    const received = client.next('typed');
    socket.emit('typed', new Uint8Array([1, 2]), { ab: new Uint8Array([3, 4]).buffer });
    const [view, { ab }] = await received;
    expect(bytes(view)).toEqual([1, 2]);
    expect(bytes(ab)).toEqual([3, 4]);
  });

  it('Buffers from the client arrive on the server as Buffers', async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind);
    const received = nextEvent(socket, 'upload');
    client.emit('upload', { name: 'f', data: Buffer.from([1, 2, 3]) }, Buffer.from([4]));
    const [meta, tail] = await received;
    expect(meta.name).toBe('f');
    expect(Buffer.isBuffer(meta.data)).toBe(true);
    expect([...meta.data]).toEqual([1, 2, 3]);
    expect([...tail]).toEqual([4]);
  });

  it('binary acks in both directions', async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind);
    socket.on('echo', (payload: Buffer, fn: (...args: unknown[]) => void) => fn({ got: payload, extra: Buffer.from([9]) }));
    const [answer] = (await client.ack('echo', Buffer.from([1, 2]))) as any[];
    expect(bytes(answer.got)).toEqual([1, 2]);
    expect(bytes(answer.extra)).toEqual([9]);

    client.on('upper', (fn: (b: Buffer) => void) => fn(Buffer.from([7, 7])));
    const [buffer] = await emitWithAck(socket, 'upper');
    expect(Buffer.isBuffer(buffer)).toBe(true);
    expect([...buffer]).toEqual([7, 7]);
  });

  it('compress(false) and binary(false) are chainable modifiers that still deliver', async () => {
    const fixture = await startServer({ perMessageDeflate: { threshold: 0 } });
    const { client, socket } = await fixture.pair(kind, '/', { transports: ['websocket'] });
    const received = client.collect('m');
    const done = client.next('done');
    expect(socket.compress(false)).toBe(socket);
    socket.emit('m', 'uncompressed');
    socket.compress(true).emit('m', 'compressed');
    socket.binary(false).emit('m', { plain: true });
    socket.binary(true).emit('m', Buffer.from([1]));
    socket.emit('done');
    await done;
    expect(received.slice(0, 3)).toEqual([['uncompressed'], ['compressed'], [{ plain: true }]]);
    expect(bytes(received[3][0])).toEqual([1]);
  });

  it('socket.volatile.emit delivers to a ready client', async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind, '/', { transports: ['websocket'] });
    const received = client.next('v');
    socket.volatile.emit('v', 1);
    expect(await received).toEqual([1]);
  });

  it('packets to one socket arrive in the order they were emitted', async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind);
    const received = client.collect('n');
    const done = client.next('done');
    for (let i = 0; i < 50; i++) socket.emit('n', i);
    socket.emit('done');
    await done;
    expect(received.map(([n]) => n)).toEqual([...Array(50).keys()]);
  });
});

// Server options and their methods: path, adapter, parser.
import { createRequire } from 'node:module';
import { createServer as createHttpServer } from 'node:http';
import { expect, it } from 'vitest';
import { adopt, createServer, forEachClient, join, leave, listen, startServer, type ServerLike } from './harness';

/** socket.io-parser 3, the parser socket.io 2 ships: what a 2.x user would wrap or replace. */
function referenceParser(): any {
  const fromV2 = createRequire(createRequire(import.meta.url).resolve('socket.io-v2'));
  return fromV2('socket.io-parser');
}

async function attachNew(io: ServerLike) {
  const httpServer = createHttpServer((_req, res) => res.writeHead(404).end());
  io.attach(httpServer);
  return adopt(io, httpServer, await listen(httpServer));
}

forEachClient((kind) => {
  it('path() is "/socket.io" by default; path(value) returns the server and moves the endpoint', async () => {
    const io = createServer();
    expect(io.path()).toBe('/socket.io');
    expect(io.path('/myownpath')).toBe(io);
    expect(io.path()).toBe('/myownpath');
    const fixture = await attachNew(io);
    expect((await fixture.client(kind, '/', { path: '/myownpath' }).settled()).type).toBe('connected');
    expect((await fixture.client(kind, '/', { path: '/socket.io' }).settled()).type).toBe('transport-error');
  });

  it('the path option is read back by path()', async () => {
    const fixture = await startServer({ path: '/test' });
    expect(fixture.io.path()).toBe('/test');
    expect((await fixture.client(kind, '/', { path: '/test' }).settled()).type).toBe('connected');
  });

  it('adapter(value) plugs an adapter class that sees every join and leave', async () => {
    const io = createServer();
    const Base = io.adapter() as new (...args: any[]) => any;
    expect(typeof Base).toBe('function');
    const calls: string[] = [];
    class RecordingAdapter extends Base {
      // socket.io 2 joins through addAll (add is a shorthand for it), as adapters written for it expect.
      addAll(id: string, rooms: string[], fn?: (err?: unknown) => void) {
        calls.push(...rooms.map((room) => `add:${room === id ? '<own id>' : room}`));
        return super.addAll(id, rooms, fn);
      }
      del(id: string, room: string, fn?: (err?: unknown) => void) {
        calls.push(`del:${room}`);
        return super.del(id, room, fn);
      }
    }
    expect(io.adapter(RecordingAdapter)).toBe(io);
    expect(io.adapter()).toBe(RecordingAdapter);
    const fixture = await attachNew(io);
    const { socket } = await fixture.pair(kind);
    expect(fixture.io.of('/').adapter).toBeInstanceOf(RecordingAdapter);
    await join(socket, 'r');
    await leave(socket, 'r');
    expect(calls).toEqual(['add:<own id>', 'add:r', 'del:r']);
  });

  it('the adapter option is used for every namespace', async () => {
    const Base = createServer().adapter() as new (...args: any[]) => any;
    class TaggedAdapter extends Base {}
    const fixture = await startServer({ adapter: TaggedAdapter });
    expect(fixture.io.of('/').adapter).toBeInstanceOf(TaggedAdapter);
    expect(fixture.io.of('/other').adapter).toBeInstanceOf(TaggedAdapter);
  });

  it('the parser option replaces the codec: its Encoder and Decoder carry every packet', async () => {
    const base = referenceParser();
    const seen = { encoded: 0, decoded: 0 };
    class CountingEncoder extends base.Encoder {
      encode(packet: unknown, callback: (encoded: unknown[]) => void) {
        seen.encoded++;
        return super.encode(packet, callback);
      }
    }
    class CountingDecoder extends base.Decoder {
      constructor() {
        super();
        this.on('decoded', () => seen.decoded++);
      }
    }
    const fixture = await startServer({ parser: { ...base, Encoder: CountingEncoder, Decoder: CountingDecoder } });
    const { client, socket } = await fixture.pair(kind);
    socket.on('echo', (value: unknown, fn: (v: unknown) => void) => fn(value));
    expect(await client.ack('echo', { bytes: Buffer.from([1]) }).then(([v]: any) => [...new Uint8Array(v.bytes)])).toEqual([1]);
    expect(seen.encoded).toBeGreaterThanOrEqual(2);
    expect(seen.decoded).toBeGreaterThanOrEqual(1);
  });
});

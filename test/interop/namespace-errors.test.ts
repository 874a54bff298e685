// On the wire: a refused namespace is an ERROR packet for 2.x clients
// (Socket.IO v4: a bare string) and a CONNECT_ERROR for 4.x clients
// (Socket.IO v5: an object with message and data).
import { expect, it } from 'vitest';
import { forEachClient, startServer, withTimeout } from './harness';
import { httpGet, httpPost, openRawPollingSession } from './harness/raw-http';

/** Polls until the collected payloads contain `wanted` (the server may flush other packets first). */
async function pollUntil(port: number, pollPath: string, wanted: string): Promise<string> {
  let collected = '';
  const polling = (async () => {
    while (!collected.includes(wanted)) collected += (await httpGet(port, pollPath)).body.toString();
    return collected;
  })();
  return withTimeout(polling, 3000, `never received ${wanted}; got ${JSON.stringify(collected)}`);
}

/** Engine.IO 3 polling payloads prefix each packet with its length. */
function frameV3(packet: string): string {
  return `${packet.length}:${packet}`;
}

forEachClient((kind) => {
  const eio = kind.generation === 2 ? 3 : 4;

  it("an unknown namespace is answered with the generation's error packet", async () => {
    const fixture = await startServer();
    const { pollPath } = await openRawPollingSession(fixture.port, eio);
    await httpPost(fixture.port, pollPath, eio === 3 ? frameV3('40/nowhere') : '40/nowhere,');
    const wanted = eio === 3 ? '44/nowhere,"Invalid namespace"' : '44/nowhere,{"message":"Invalid namespace"}';
    expect(await pollUntil(fixture.port, pollPath, wanted)).toContain(wanted);
  });

  it("a middleware error is answered with the generation's error packet, with data", async () => {
    const fixture = await startServer();
    fixture.io.of('/guarded').use((_socket, next) => {
      const err = new Error('refused') as Error & { data: unknown };
      err.data = { code: 42 };
      next(err);
    });
    const { pollPath } = await openRawPollingSession(fixture.port, eio);
    await httpPost(fixture.port, pollPath, eio === 3 ? frameV3('40/guarded') : '40/guarded,');
    // socket.io 2 sends err.data when there is one, else err.message; v5 sends both.
    const wanted = eio === 3 ? '44/guarded,{"code":42}' : '44/guarded,{"message":"refused","data":{"code":42}}';
    expect(await pollUntil(fixture.port, pollPath, wanted)).toContain(wanted);
  });

  it('a middleware error whose data is falsy sends the message to a 2.x client (socket.io 2 uses data || message)', async () => {
    const fixture = await startServer();
    fixture.io.of('/guarded').use((_socket, next) => next(Object.assign(new Error('refused'), { data: 0 })));
    const { pollPath } = await openRawPollingSession(fixture.port, eio);
    await httpPost(fixture.port, pollPath, eio === 3 ? frameV3('40/guarded') : '40/guarded,');
    const wanted = eio === 3 ? '44/guarded,"refused"' : '44/guarded,{"message":"refused","data":0}';
    expect(await pollUntil(fixture.port, pollPath, wanted)).toContain(wanted);
  });
});

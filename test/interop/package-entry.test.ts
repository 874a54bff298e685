// The built package as users load it: require('iostate') is a factory that
// works with and without `new` and carries the classes; `import { Server }`
// gives the same classes. Needs `npm run build` (npm test builds first).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer as createHttpServer } from 'node:http';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { adopt, clientV2, clientV4, freePort, isReference, listen, type ClientKind, type ServerLike } from './harness';

const repoRoot = new URL('../../', import.meta.url);
const built = existsSync(new URL('dist/cjs/index.js', repoRoot)) && existsSync(new URL('dist/esm/index.mjs', repoRoot));
if (!built && !isReference) {
  if (process.env.CI) throw new Error('dist/ is missing: `npm test` must build before the package-entry tests');
  console.warn('\n*** package-entry tests SKIPPED: dist/ is missing; run `npm run build` first ***\n');
}

const requireFromHere = createRequire(import.meta.url);
const loadPackage = () => requireFromHere('iostate') as any;

async function expectServing(io: ServerLike, port: number, kind: ClientKind): Promise<void> {
  const fixture = adopt(io, createHttpServer(), port);
  io.on('connection', (socket) => socket.on('ping?', (ack: (v: string) => void) => ack('pong')));
  const client = await fixture.client(kind).ready();
  expect(await client.ack('ping?')).toEqual(['pong']);
}

describe.skipIf(isReference || !built)("the built package, require('iostate') and import { Server } from 'iostate'", () => {
  for (const kind of [clientV2, clientV4]) {
    it(`require('iostate')(httpServer) works without new (${kind.name})`, async () => {
      const factory = loadPackage();
      const httpServer = createHttpServer();
      const io = factory(httpServer, { serveClient: false });
      await expectServing(io, await listen(httpServer), kind);
    });

    it(`new (require('iostate'))(port) works with new (${kind.name})`, async () => {
      const Factory = loadPackage();
      const port = await freePort();
      await expectServing(new Factory(port), port, kind);
    });
  }

  it('the factory carries Server, Namespace, Socket and Client, the classes of what it makes', async () => {
    const iostate = loadPackage();
    for (const name of ['Server', 'Namespace', 'Socket', 'Client']) expect(typeof iostate[name], name).toBe('function');
    const httpServer = createHttpServer();
    const io = iostate(httpServer);
    const fixture = adopt(io, httpServer, await listen(httpServer));
    const { socket } = await fixture.pair(clientV4);
    expect(io).toBeInstanceOf(iostate.Server);
    expect(new iostate.Server()).toBeInstanceOf(iostate.Server);
    expect(io.sockets).toBeInstanceOf(iostate.Namespace);
    expect(socket).toBeInstanceOf(iostate.Socket);
    expect(socket.client).toBeInstanceOf(iostate.Client);
  });

  it('the ESM entry exports the same classes by name and the factory as default', async () => {
    const script = [
      "import iostate, { Server, Namespace, Socket, Client } from 'iostate';",
      "import { createRequire } from 'node:module';",
      "const cjs = createRequire(import.meta.url)('iostate');",
      'const same = iostate === cjs && Server === cjs.Server && Namespace === cjs.Namespace && Socket === cjs.Socket && Client === cjs.Client;',
      'const io = new Server(); const ok = same && io.path() === "/socket.io"; io.close();',
      'console.log(JSON.stringify({ ok }));',
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ ok: true });
  });
});

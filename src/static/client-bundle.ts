/**
 * Serves the browser clients under the server's path, as the socket.io
 * servers of each generation did:
 *
 * - `<path>/socket.io.js` and its `.map`: the socket.io-client 2.x bundle,
 *   the one socket.io 2.5.1 serves and 2.x pages were written against
 *   (`socket.on('reconnect')`, `io.connect`…), with 2.5.1's headers:
 *   `Content-Type: application/javascript`, `ETag: "<client version>"`.
 * - `<path>/v4/socket.io.js`, `.min.js`, `.esm.min.js` and their maps: the
 *   socket.io-client 4.x bundles, with socket.io 4's headers. In their own
 *   folder so that each bundle's relative `sourceMappingURL` finds its map.
 *
 * - For the v4 face (iostate/v4), socket.io 4's list instead: the 4.x
 *   bundles at `<path>/socket.io.js`, `.min.js`, `.esm.min.js`,
 *   `.msgpack.min.js` and their maps.
 *
 * A request whose If-None-Match holds the ETag gets 304 with no body. Each
 * file is read once, on its first request.
 */
import { readFile, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

interface ClientPackage {
  /** The package's dist/ folder. */
  dir: string;
  /** Its version, which is the ETag (quoted). */
  version: string;
}

interface ServedFile {
  client: 'v2' | 'v4';
  /** The file name in the package's dist/ folder. */
  file: string;
  contentType: string;
  cacheControl?: string;
}

interface BundleFile {
  body: Buffer;
  etag: string;
}

// Revalidate on every use: the ETag makes that a 304 with no body.
const REVALIDATE = 'public, max-age=0';

/** The URLs offered, by name under `<path>/`. */
const SERVED: ReadonlyMap<string, ServedFile> = new Map([
  // socket.io 2.5.1 sets no charset, and no Cache-Control on the map.
  ['socket.io.js', { client: 'v2', file: 'socket.io.js', contentType: 'application/javascript', cacheControl: REVALIDATE }],
  ['socket.io.js.map', { client: 'v2', file: 'socket.io.js.map', contentType: 'application/json' }],
  ...['socket.io.js', 'socket.io.min.js', 'socket.io.esm.min.js'].flatMap((file): [string, ServedFile][] => [
    [`v4/${file}`, { client: 'v4', file, contentType: 'application/javascript; charset=utf-8', cacheControl: REVALIDATE }],
    [`v4/${file}.map`, { client: 'v4', file: `${file}.map`, contentType: 'application/json; charset=utf-8', cacheControl: REVALIDATE }],
  ]),
]);

/** What the v4 face serves (socket.io 4's list): the 4.x bundles at `<path>/`, the msgpack build among them. */
const SERVED_V4: ReadonlyMap<string, ServedFile> = new Map(
  ['socket.io.js', 'socket.io.min.js', 'socket.io.esm.min.js', 'socket.io.msgpack.min.js'].flatMap((file): [string, ServedFile][] => [
    [file, { client: 'v4', file, contentType: 'application/javascript; charset=utf-8', cacheControl: REVALIDATE }],
    [`${file}.map`, { client: 'v4', file: `${file}.map`, contentType: 'application/json; charset=utf-8', cacheControl: REVALIDATE }],
  ]),
);

const packages: Partial<Record<ServedFile['client'], ClientPackage>> = {};

function clientPackage(client: ServedFile['client']): ClientPackage {
  let found = packages[client];
  if (!found) {
    // socket.io-client-v2 is the npm alias of socket.io-client@2 (a dependency of iostate).
    const name = client === 'v2' ? 'socket.io-client-v2' : 'socket.io-client';
    const manifest = require.resolve(`${name}/package.json`);
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
    found = { dir: join(dirname(manifest), 'dist'), version };
    packages[client] = found;
  }
  return found;
}

/** One read per file for the life of the process; a failed read is retried on the next request. */
const reads = new Map<string, Promise<BundleFile | null>>();

function load(name: string, served: ServedFile): Promise<BundleFile | null> {
  let read = reads.get(name);
  if (!read) {
    read = new Promise((resolve) => {
      const { dir, version } = clientPackage(served.client);
      readFile(join(dir, served.file), (err, body) => {
        if (err) {
          // A missing optional file (e.g. no .esm.min.js in this client version) is simply not served.
          if (err.code !== 'ENOENT') reads.delete(name);
          resolve(null);
          return;
        }
        resolve({ body, etag: `"${version}"` });
      });
    });
    reads.set(name, read);
  }
  return read;
}

function pathnameOf(url: string | undefined): string {
  if (!url) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

function respond(req: IncomingMessage, res: ServerResponse, file: BundleFile | null, served: ServedFile): void {
  if (!file) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not found');
    return;
  }
  const headers: Record<string, string | number> = { ETag: file.etag };
  if (served.cacheControl) headers['Cache-Control'] = served.cacheControl;
  if (etagMatches(req.headers['if-none-match'], file.etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  headers['Content-Type'] = served.contentType;
  headers['Content-Length'] = file.body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : file.body);
}

/**
 * A request handler for the client bundles under `path` (e.g. "/socket.io").
 * Returns true when it took the request (the response is then its business),
 * false to let the caller pass it on.
 */
export function createClientBundleHandler(path: string, face: 'v2' | 'v4' = 'v2'): (req: IncomingMessage, res: ServerResponse) => boolean {
  const prefix = `${path.replace(/\/+$/, '')}/`;
  const files = face === 'v4' ? SERVED_V4 : SERVED;
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const pathname = pathnameOf(req.url);
    if (!pathname.startsWith(prefix)) return false;
    const name = pathname.slice(prefix.length);
    const served = files.get(name);
    if (!served) return false;
    load(`${served.client}/${served.file}`, served)
      .then((file) => respond(req, res, file, served))
      // Never let a broken response escape as an unhandled rejection.
      .catch(() => res.destroy());
    return true;
  };
}

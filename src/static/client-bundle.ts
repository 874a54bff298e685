/**
 * Serves the browser bundle of socket.io-client 4.x under the server's path:
 * `<path>/socket.io.js`, `<path>/socket.io.min.js` and their source maps:
 * the URLs socket.io 2 used, so pages written for it keep loading a client.
 *
 * Each file is read once, on its first request, and kept with a strong ETag
 * (a hash of its bytes): browsers revalidate with If-None-Match and get 304.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs';
import { dirname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

interface BundleFile {
  body: Buffer;
  etag: string;
}

const JAVASCRIPT = 'application/javascript; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/** The files offered, by name under `<path>/`, with their content type. */
const SERVED: ReadonlyMap<string, string> = new Map([
  ['socket.io.js', JAVASCRIPT],
  ['socket.io.js.map', JSON_TYPE],
  ['socket.io.min.js', JAVASCRIPT],
  ['socket.io.min.js.map', JSON_TYPE],
]);

// Revalidate on every use: the ETag makes that a 304 with no body.
const CACHE_CONTROL = 'public, max-age=0, must-revalidate';

let bundleDirectory: string | undefined;

function bundleDir(): string {
  bundleDirectory ??= dirname(require.resolve('socket.io-client/dist/socket.io.js'));
  return bundleDirectory;
}

/** One read per file for the life of the process; a failed read is retried on the next request. */
const reads = new Map<string, Promise<BundleFile | null>>();

function load(name: string): Promise<BundleFile | null> {
  let read = reads.get(name);
  if (!read) {
    read = new Promise((resolve) => {
      readFile(join(bundleDir(), name), (err, body) => {
        if (err) {
          // A missing optional file (e.g. no .min.js in this client version) is simply not served.
          if (err.code !== 'ENOENT') reads.delete(name);
          resolve(null);
          return;
        }
        resolve({ body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` });
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

function respond(req: IncomingMessage, res: ServerResponse, file: BundleFile | null, contentType: string): void {
  if (!file) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not found');
    return;
  }
  const headers = { ETag: file.etag, 'Cache-Control': CACHE_CONTROL };
  if (etagMatches(req.headers['if-none-match'], file.etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': contentType, 'Content-Length': file.body.length });
  res.end(req.method === 'HEAD' ? undefined : file.body);
}

/**
 * A request handler for the client bundle under `path` (e.g. "/socket.io").
 * Returns true when it took the request (the response is then its business),
 * false to let the caller pass it on.
 */
export function createClientBundleHandler(path: string): (req: IncomingMessage, res: ServerResponse) => boolean {
  const prefix = `${path.replace(/\/+$/, '')}/`;
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const pathname = pathnameOf(req.url);
    if (!pathname.startsWith(prefix)) return false;
    const name = pathname.slice(prefix.length);
    const contentType = SERVED.get(name);
    if (!contentType) return false;
    load(name)
      .then((file) => respond(req, res, file, contentType))
      // Never let a broken response escape as an unhandled rejection.
      .catch(() => res.destroy());
    return true;
  };
}

/** Test helpers: an engine on a throwaway port, raw HTTP requests, and waiting for events. */
import { once, type EventEmitter } from 'node:events';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LogEventInput } from '../../src/log/events';
import { EngineServer, type EngineOptions } from '../../src/transport/engine-server';
import type { CloseDetails, EngineSocket } from '../../src/transport/engine-socket';

export interface TestEngine {
  engine: EngineServer;
  server: http.Server;
  port: number;
  url: string;
  records: LogEventInput[];
  /** Resolves with the next session the engine accepts. */
  nextConnection(): Promise<EngineSocket>;
  close(): Promise<void>;
}

export async function startEngine(options: EngineOptions = {}, path?: string): Promise<TestEngine> {
  const records: LogEventInput[] = [];
  // A user handler: requests outside the engine's path must still reach it.
  const server = http.createServer((_req, res) => {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not the engine');
  });
  const engine = new EngineServer({ recorder: { record: (event) => records.push(event) }, ...options });
  engine.attach(server, path ? { path } : {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    engine,
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    records,
    nextConnection: () => once(engine, 'connection').then(([socket]) => socket as EngineSocket),
    close: async () => {
      engine.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** One HTTP request on its own connection (no keep-alive pooling between tests). */
export function request(
  port: number,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Opens a session over raw polling and returns its sid and the handshake. */
export async function handshake(
  port: number,
  query: string,
  path = '/engine.io/',
): Promise<{ sid: string; open: Record<string, unknown>; response: RawResponse }> {
  const response = await request(port, 'GET', `${path}?${query}`);
  if (response.status !== 200) throw new Error(`handshake failed: ${response.status} ${response.text}`);
  const text = response.text;
  const json = text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1);
  const open = JSON.parse(json.replace(/\\"/g, '"')) as Record<string, unknown>;
  return { sid: open.sid as string, open, response };
}

export function closeOf(socket: EngineSocket): Promise<[string, CloseDetails]> {
  return once(socket, 'close') as Promise<[string, CloseDetails]>;
}

export async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function nextEvent<T extends unknown[] = unknown[]>(
  emitter: EventEmitter | { once(event: string, fn: (...args: any[]) => void): unknown },
  event: string,
): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (...args: any[]) => resolve(args as T)));
}

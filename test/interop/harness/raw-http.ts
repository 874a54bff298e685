// Raw HTTP and TCP pokes at a live session, for failures no well-behaved client produces.
import { request } from 'node:http';
import type { TestClient } from './clients';

/** Starts a polling POST for the client's session and drops it half-way through the body. */
export function abortPollingPost(port: number, client: TestClient, path = '/socket.io'): Promise<void> {
  const eio = client.kind.generation === 2 ? 3 : 4;
  return new Promise((resolve) => {
    const req = request({
      port,
      host: '127.0.0.1',
      method: 'POST',
      path: `${path}/?EIO=${eio}&transport=polling&sid=${encodeURIComponent(client.engineId)}`,
      headers: { 'content-type': 'text/plain;charset=UTF-8', 'content-length': '1000' },
    });
    req.on('error', () => resolve());
    req.write('4');
    setTimeout(() => {
      req.destroy();
      resolve();
    }, 20);
  });
}

/** Writes an unmasked frame on the client's WebSocket: a protocol violation the server must reject. */
export function sendUnmaskedFrame(client: TestClient): void {
  const tcp = client.raw.io.engine.transport.ws?._socket;
  if (!tcp) throw new Error('sendUnmaskedFrame() needs the websocket transport');
  tcp.write(Buffer.from([0x81, 0x02, 0x34, 0x32]));
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A plain HTTP request, answering with status, headers and the undecoded body. */
export function httpGet(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Writes a body with a polling POST and answers with the status. */
export function httpPost(port: number, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', path, agent: false, headers: { 'content-type': 'text/plain;charset=UTF-8' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * An Engine.IO polling session opened by hand and connected to `/`
 * (Engine.IO 3 sessions are connected by the server; 4 sends CONNECT itself).
 */
export async function openRawPollingSession(port: number, eio: 3 | 4 | number): Promise<{ sid: string; pollPath: string }> {
  const handshake = await httpGet(port, `/socket.io/?EIO=${eio}&transport=polling`);
  const sid = /"sid":"([^"]+)"/.exec(handshake.body.toString())?.[1];
  if (!sid) throw new Error(`no sid in handshake: ${handshake.status} ${handshake.body.toString()}`);
  const pollPath = `/socket.io/?EIO=${eio}&transport=polling&sid=${encodeURIComponent(sid)}`;
  if (eio === 4) await httpPost(port, pollPath, '40');
  return { sid, pollPath };
}

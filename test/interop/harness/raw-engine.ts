// Engine.IO by hand, for differential transcripts: every request's status,
// the headers a client acts on, and the packets of each answer, so that two
// servers can be compared on what a client sees.
import { request } from 'node:http';
import WebSocket from 'ws';
import type { Protocol } from './differential';

const PATH = '/socket.io/';

/** One HTTP exchange as a client sees it. */
export interface Exchange {
  status: number;
  contentType: string | undefined;
  /** Engine.IO packets of a 200 polling answer; the parsed JSON of an error; else the text. */
  body: unknown;
}

/** Splits a text polling payload into its packets (v3 `<length>:<packet>`, v4 joined by \x1e). */
export function packetsOf(protocol: Protocol, payload: string): string[] {
  if (protocol === 4) return payload === '' ? [] : payload.split('\x1e');
  const packets: string[] = [];
  let rest = payload;
  while (rest.length > 0) {
    const colon = rest.indexOf(':');
    if (colon < 0) throw new Error(`not a v3 payload: ${JSON.stringify(payload)}`);
    const length = Number(rest.slice(0, colon));
    if (!Number.isInteger(length) || colon + 1 + length > rest.length) throw new Error(`not a v3 payload: ${JSON.stringify(payload)}`);
    packets.push(rest.slice(colon + 1, colon + 1 + length));
    rest = rest.slice(colon + 1 + length);
  }
  return packets;
}

/** Joins packets into a text polling payload. */
export function payloadOf(protocol: Protocol, packets: string[]): string {
  return protocol === 3 ? packets.map((packet) => `${packet.length}:${packet}`).join('') : packets.join('\x1e');
}

const EXCHANGE_MS = 3000;

/** One HTTP request on its own connection; an answer that does not come within 3 s fails the test. */
export function exchange(port: number, method: string, query: string, body?: string, protocol: Protocol = 3): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer to ${method} ?${query} within ${EXCHANGE_MS} ms`));
    }, EXCHANGE_MS);
    const headers = body === undefined ? {} : { 'Content-Type': 'text/plain;charset=UTF-8' };
    const req = request({ host: '127.0.0.1', port, method, path: `${PATH}?${query}`, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString();
        const contentType = res.headers['content-type'];
        let parsed: unknown = text;
        if (contentType?.startsWith('application/json')) parsed = JSON.parse(text);
        else if (res.statusCode === 200 && method === 'GET') parsed = packetsOf(protocol, text);
        resolve({ status: res.statusCode ?? 0, contentType, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}

/** A polling session opened by hand, connected to `/`, with nothing left for it on the server. */
export class PollingSession {
  private constructor(
    readonly port: number,
    readonly protocol: Protocol,
    readonly sid: string,
    /** Whether its requests name the protocol (every real client does). */
    private readonly sendsEIO: boolean,
    /** The packets of the handshake and of the polls that brought the namespace CONNECT, in order. */
    readonly opening: string[],
  ) {}

  /** Handshakes (without `EIO` if `sendsEIO` is false), connects to `/` on v4, and polls until the server's CONNECT came. */
  static async open(port: number, protocol: Protocol, sendsEIO = true): Promise<PollingSession> {
    const handshake = await exchange(port, 'GET', `${sendsEIO ? `EIO=${protocol}&` : ''}transport=polling`, undefined, protocol);
    const packets = handshake.body as string[];
    if (handshake.status !== 200 || !packets[0]?.startsWith('0')) throw new Error(`bad handshake: ${JSON.stringify(handshake)}`);
    const session = new PollingSession(port, protocol, JSON.parse(packets[0].slice(1)).sid, sendsEIO, [...packets]);
    if (protocol === 4) await session.post(['40']);
    // The server's CONNECT may come with the open packet or on a later poll.
    while (!session.opening.some((packet) => packet.startsWith('40'))) {
      const poll = await session.get();
      if (poll.status !== 200) throw new Error(`poll refused while opening: ${JSON.stringify(poll)}`);
      session.opening.push(...(poll.body as string[]));
    }
    return session;
  }

  get query(): string {
    return `${this.sendsEIO ? `EIO=${this.protocol}&` : ''}transport=polling&sid=${encodeURIComponent(this.sid)}`;
  }

  get(): Promise<Exchange> {
    return exchange(this.port, 'GET', this.query, undefined, this.protocol);
  }

  post(packets: string[]): Promise<Exchange> {
    return exchange(this.port, 'POST', this.query, payloadOf(this.protocol, packets), this.protocol);
  }
}

/** What a raw WebSocket saw: whether it opened, its frames, and how it ended. */
export interface WebSocketOutcome {
  /** The HTTP status of a refused handshake, or 101. */
  status: number;
  frames: string[];
  closeCode: number | undefined;
}

/**
 * Opens a WebSocket with `query`, sends `send` once it is open, and reports
 * what happened until the server closed it, or until `settleMs` after it
 * opened if the server kept it.
 */
export function webSocketOutcome(port: number, query: string, settleMs = 300, send: string[] = []): Promise<WebSocketOutcome> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${PATH}?${query}`);
    const outcome: WebSocketOutcome = { status: 0, frames: [], closeCode: undefined };
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      ws.terminate();
      resolve(outcome);
    };
    ws.on('upgrade', () => (outcome.status = 101));
    ws.on('unexpected-response', (_req, res) => {
      outcome.status = res.statusCode ?? 0;
      res.resume();
      done();
    });
    ws.on('open', () => {
      for (const frame of send) ws.send(frame);
      timer = setTimeout(done, settleMs);
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => outcome.frames.push(isBinary ? `<binary ${data.length}>` : data.toString()));
    ws.on('close', (code: number) => {
      outcome.closeCode = code;
      done();
    });
    ws.on('error', () => {});
  });
}

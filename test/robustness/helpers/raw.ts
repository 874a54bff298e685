/**
 * Raw clients that say exactly what a test tells them to: HTTP requests with
 * any method, headers and body (also trickled or cut short), Engine.IO
 * polling and WebSocket sessions of either protocol, connected to `/` and
 * ready to send any bytes.
 */
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import { sleep, until } from './server';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function rawRequest(
  port: number,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export type Protocol = 3 | 4;
export type RawTransport = 'polling' | 'websocket';

/** Every Engine.IO protocol over every transport: what each hostile test runs on. */
export const ALL_VARIANTS: ReadonlyArray<[Protocol, RawTransport]> = [
  [3, 'polling'],
  [3, 'websocket'],
  [4, 'polling'],
  [4, 'websocket'],
];

export const PATH = '/socket.io/';

/** v3 polling payloads are `<length>:<packet>`, v4 ones are joined by \x1e. */
export function pollingPayload(protocol: Protocol, packets: string[]): string {
  return protocol === 3 ? packets.map((p) => `${[...p].length}:${p}`).join('') : packets.join('\x1e');
}

/** One Engine.IO session connected to the main namespace, on either transport and protocol. */
export class RawSession {
  readonly received: string[] = [];
  private polling = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private posts: Promise<unknown> = Promise.resolve();
  private constructor(
    readonly port: number,
    readonly protocol: Protocol,
    readonly transport: RawTransport,
    readonly sid: string,
    readonly ws?: WebSocket,
  ) {}

  static async open(port: number, protocol: Protocol, transport: RawTransport): Promise<RawSession> {
    if (transport === 'websocket') {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${PATH}?EIO=${protocol}&transport=websocket`);
      const received: string[] = [];
      ws.on('message', (data: Buffer, isBinary: boolean) => received.push(isBinary ? `<binary ${data.length}>` : data.toString()));
      ws.on('error', () => {});
      await until(() => received.length > 0, 'the open packet');
      const sid = JSON.parse(received[0].slice(1)).sid as string;
      const session = new RawSession(port, protocol, transport, sid, ws);
      session.received.push(...received);
      ws.removeAllListeners('message');
      ws.on('message', (data: Buffer, isBinary: boolean) => session.received.push(isBinary ? `<binary ${data.length}>` : data.toString()));
      if (protocol === 4) ws.send('40');
      session.keepAlive();
      await until(() => session.received.some((m) => m.startsWith('40')), 'the namespace connect');
      return session;
    }
    const res = await rawRequest(port, 'GET', `${PATH}?EIO=${protocol}&transport=polling`);
    const match = /0(\{.*?"sid".*?\})/.exec(res.body);
    if (!match) throw new Error(`bad handshake: ${res.status} ${res.body}`);
    const session = new RawSession(port, protocol, transport, JSON.parse(match[1]).sid);
    if (protocol === 4) await session.post(pollingPayload(4, ['40']));
    session.startPolling();
    session.keepAlive();
    await until(() => session.received.some((m) => m.startsWith('40')) || res.body.includes('40'), 'the namespace connect');
    return session;
  }

  get query(): string {
    return `EIO=${this.protocol}&transport=polling&sid=${encodeURIComponent(this.sid)}`;
  }

  /** Sends one Engine.IO message packet (type 4) carrying `text`. */
  message(text: string): Promise<unknown> {
    return this.packet(`4${text}`);
  }

  /** Sends one raw Engine.IO packet. */
  packet(packet: string): Promise<unknown> {
    if (this.ws) return new Promise((resolve) => this.ws!.send(packet, () => resolve(undefined)));
    return this.post(pollingPayload(this.protocol, [packet]));
  }

  binary(data: Buffer): Promise<unknown> {
    if (this.ws) return new Promise((resolve) => this.ws!.send(this.protocol === 3 ? Buffer.concat([Buffer.from([4]), data]) : data, () => resolve(undefined)));
    if (this.protocol === 3) {
      // v3 binary payload: 0x01, the length in decimal digits, 0xff, then the packet (type byte + data).
      const digits = String(data.length + 1)
        .split('')
        .map(Number);
      return this.post(Buffer.concat([Buffer.from([1, ...digits, 255, 4]), data]), { 'Content-Type': 'application/octet-stream' });
    }
    return this.post(pollingPayload(4, [`b${data.toString('base64')}`]));
  }

  /** POSTs one after another, as a real client does (overlapping POSTs end the session). */
  post(body: string | Buffer, headers: Record<string, string> = {}): Promise<RawResponse> {
    const sent = this.posts.then(() => this.postNow(body, headers));
    this.posts = sent.catch(() => undefined);
    return sent;
  }

  private postNow(body: string | Buffer, headers: Record<string, string>): Promise<RawResponse> {
    return rawRequest(this.port, 'POST', `${PATH}?${this.query}`, { body, headers: { 'Content-Type': 'text/plain;charset=UTF-8', ...headers } });
  }

  /** Answers the heartbeat like a well-behaved client: v4 pongs each ping, v3 pings on its own. */
  private keepAlive(): void {
    if (this.protocol === 3) {
      this.heartbeat = setInterval(() => void this.packet('2').catch(() => undefined), 80);
      return;
    }
    this.ws?.on('message', (data: Buffer) => {
      if (data.toString() === '2') this.ws!.send('3');
    });
  }

  /** Keeps one GET pending, as a polling client does, collecting what arrives (answering v4 pings). */
  private startPolling(): void {
    this.polling = true;
    const loop = async () => {
      while (this.polling) {
        const res = await rawRequest(this.port, 'GET', `${PATH}?${this.query}`).catch(() => undefined);
        if (!res || res.status !== 200) break;
        const packets = this.protocol === 3 ? splitV3(res.body) : res.body.split('\x1e');
        this.received.push(...packets);
        if (this.protocol === 4 && packets.includes('2')) await this.post('3').catch(() => undefined);
      }
      this.polling = false;
    };
    void loop();
  }

  close(): void {
    this.polling = false;
    clearInterval(this.heartbeat);
    this.ws?.terminate();
  }
}

/** A WebSocket opened for an existing session, as a client's upgrade does, and the frames it received. */
export interface Probe {
  ws: WebSocket;
  frames: string[];
  /** 101, or the status of the refusal (0 when the connection failed). */
  status: Promise<number>;
}

/** Opens a WebSocket for session `sid`, answering v4 pings; what it sends next (probe, upgrade) is the test's. */
export function openProbe(port: number, protocol: Protocol, sid: string): Probe {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${PATH}?EIO=${protocol}&transport=websocket&sid=${encodeURIComponent(sid)}`);
  const frames: string[] = [];
  ws.on('message', (data: Buffer) => {
    const frame = data.toString();
    frames.push(frame);
    if (frame === '2' && protocol === 4) ws.send('3');
  });
  const status = new Promise<number>((resolve) => {
    ws.once('open', () => resolve(101));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(0));
  });
  return { ws, frames, status };
}

function splitV3(body: string): string[] {
  const packets: string[] = [];
  let rest = body;
  while (rest.length > 0) {
    const colon = rest.indexOf(':');
    if (colon < 0) break;
    const length = Number(rest.slice(0, colon));
    packets.push(rest.slice(colon + 1, colon + 1 + length));
    rest = rest.slice(colon + 1 + length);
  }
  return packets;
}

/** Opens a TCP connection and writes `head`, then each chunk of `trickle` after `gapMs`; resolves with the socket. */
export async function slowRequest(port: number, head: string, trickle: string[] = [], gapMs = 50): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(head);
  for (const chunk of trickle) {
    await sleep(gapMs);
    if (socket.destroyed) break;
    socket.write(chunk);
  }
  return socket;
}

/** Resolves when the server has closed `socket` (or its response ended); rejects after `ms`. */
export function closedByServer(socket: net.Socket, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const timer = setTimeout(() => reject(new Error(`the server kept the connection open for ${ms} ms`)), ms);
    socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
    const done = () => {
      clearTimeout(timer);
      resolve(data);
    };
    if (socket.destroyed || socket.readableEnded) return done();
    socket.once('close', done);
    socket.once('end', done);
  });
}

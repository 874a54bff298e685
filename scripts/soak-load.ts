/**
 * The soak's load generator, run as a child process of scripts/soak.ts so
 * that its own memory never counts as the server's. One round: `concurrency`
 * workers churn real 2.x and 4.x clients (connect over polling, WebSocket or
 * with an upgrade, join a room, get an ack, leave by either side) for
 * `durationMs`; then `abandoned` sessions are opened and left to the
 * server's heartbeat (handshakes never polled again, WebSockets that never
 * answer a ping, TCP connections reset mid-request). Prints one JSON line.
 *
 * `minCycles` keeps the churn going past `durationMs` until that many client
 * lives have run: a count that does not shrink when the machine is starved.
 * Every wait is generous for the same reason; a server that never answers
 * or never times a session out still fails it.
 */
import net from 'node:net';
import http from 'node:http';
import WebSocket from 'ws';
import ioV2 from 'socket.io-client-v2';
import { io as ioV4 } from 'socket.io-client';

interface LoadOptions {
  port: number;
  durationMs: number;
  concurrency: number;
  abandoned: number;
  minCycles: number;
}

const PATH = '/socket.io/';
/** How long a client life, or the server's heartbeat on a silent WebSocket, may take on a loaded machine. */
const WAIT_MS = 30_000;

function parseArgs(): LoadOptions {
  const [port, durationMs, concurrency, abandoned, minCycles] = process.argv.slice(2).map(Number);
  return { port, durationMs, concurrency, abandoned, minCycles };
}

/** `promise`, or undefined after `ms`; the timer keeps the process alive while it waits. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One client life: connect, join, ack, then leave one of three ways; returns why it failed, or undefined. */
async function oneCycle(url: string, n: number): Promise<string | undefined> {
  const transports = [['websocket'], ['polling'], ['polling', 'websocket']][n % 3];
  const options = { forceNew: true, reconnection: false, transports, timeout: WAIT_MS };
  const client: any = n % 2 === 0 ? ioV4(url, options) : ioV2(url, options);
  const kind = `${n % 2 === 0 ? '4.x' : '2.x'} ${transports.join('+')}`;
  // null: the cycle went through; undefined: nothing within WAIT_MS.
  const outcome = await withTimeout(
    new Promise<string | null>((resolve) => {
      client.once('connect', () =>
        client.emit('join', `room-${n % 7}`, () => client.emit('echo', n, (back: number) => resolve(back === n ? null : `${kind}: wrong ack`))),
      );
      client.once('connect_error', (err: Error) => resolve(`${kind}: connect error ${err?.message ?? err}`));
      client.once('disconnect', (reason: string) => resolve(`${kind}: disconnected (${reason}) before its ack`));
    }),
    WAIT_MS,
  );
  const ending = Math.floor(n / 6) % 3;
  if (ending === 0)
    client.emit('kick-me'); // the server disconnects it
  else if (ending === 1)
    client.close(); // it leaves politely
  else client.io.engine.transport?.ws?._socket?.destroy(); // its network vanishes (WebSocket only; polling ones time out)
  setTimeout(() => client.close(), 50).unref();
  return outcome === null ? undefined : (outcome ?? `${kind}: no answer within ${WAIT_MS / 1000} s`);
}

async function churn(opts: LoadOptions): Promise<{ cycles: number; failures: number; reasons: Record<string, number> }> {
  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + opts.durationMs;
  let cycles = 0;
  let failures = 0;
  const reasons: Record<string, number> = {};
  let n = 0;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (Date.now() < deadline || n < opts.minCycles) {
        const failure = await oneCycle(url, n++);
        cycles++;
        if (failure) {
          failures++;
          reasons[failure] = (reasons[failure] ?? 0) + 1;
        }
      }
    }),
  );
  return { cycles, failures, reasons };
}

function handshakeOnly(port: number, eio: number): Promise<void> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: `${PATH}?EIO=${eio}&transport=polling`, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', () => resolve());
  });
}

interface Silent {
  ws: WebSocket;
  /** Listened for from the start: on a slow machine the server may close it before the abandoning is done. */
  closed: Promise<unknown>;
}

/** A WebSocket session that connects and then never answers anything. */
function silentWebSocket(port: number, eio: number, keep: Silent[]): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${PATH}?EIO=${eio}&transport=websocket`);
    keep.push({ ws, closed: new Promise((closed) => ws.once('close', closed)) });
    ws.once('message', () => {
      if (eio === 4) ws.send('40');
      resolve();
    });
    ws.once('error', () => resolve());
  });
}

/** A TCP connection reset in the middle of a request. */
function resetMidRequest(port: number, n: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(
        n % 2 === 0
          ? `GET ${PATH}?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n`
          : `POST ${PATH}?EIO=3&transport=polling&sid=x HTTP/1.1\r\nHost: x\r\nContent-Length: 99\r\n\r\n1`,
      );
      setTimeout(() => {
        socket.resetAndDestroy();
        resolve();
      }, 5);
    });
    socket.on('error', () => resolve());
  });
}

async function abandon(opts: LoadOptions): Promise<Silent[]> {
  const silent: Silent[] = [];
  const batch = 50;
  for (let i = 0; i < opts.abandoned; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, opts.abandoned - i) }, (_, j) => {
        const n = i + j;
        if (n % 3 === 0) return handshakeOnly(opts.port, 3 + (n % 2));
        if (n % 3 === 1) return silentWebSocket(opts.port, 3 + (n % 2), silent);
        return resetMidRequest(opts.port, n);
      }),
    );
  }
  return silent;
}

async function main(): Promise<void> {
  const opts = parseArgs();
  const started = Date.now();
  const { cycles, failures, reasons } = await churn(opts);
  const silent = await abandon(opts);
  // The silent WebSockets stay open (never answering) until the server times them out.
  await withTimeout(Promise.all(silent.map((s) => s.closed)), WAIT_MS);
  const silentLeftOpen = silent.filter((s) => s.ws.readyState !== WebSocket.CLOSED).length;
  process.stdout.write(`${JSON.stringify({ cycles, failures, reasons, abandoned: opts.abandoned, silentLeftOpen, elapsedMs: Date.now() - started })}\n`);
  for (const s of silent) s.ws.terminate();
  process.exit(0);
}

void main();

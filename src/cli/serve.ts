/**
 * `iostate serve [--port N] [--host H] [--log FILE]`: a small chat on an
 * iostate server, with the inspector on at /iostate for requests from this
 * machine. It is what `npm start` runs: the quickest way to watch
 * connections live, end them in different ways and read why they ended.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Server } from '../actors/server';
import type { Socket } from '../actors/socket';
import { createInspectorHandler, type InspectorHandler } from '../inspect/http-endpoint';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliIO, type Command } from './command';
import { DEMO_EVENTS as E, renderDemoPage } from './demo-page';

const usage = `Usage: iostate serve [--port N] [--host HOST] [--log FILE.jsonl]

Runs a demo chat with the inspector on, and prints their URLs.

  --port N         port to listen on (default: $PORT, else 3000; 0 picks a free one)
  --host HOST      address to listen on (default 127.0.0.1: this machine only)
  --log FILE       also write the event log to FILE (JSONL), for
                   \`iostate replay FILE\` and \`iostate inspect FILE -o timeline.html\`

The inspector (/iostate/) answers requests from this machine only.
Stop with Ctrl+C.
`;

export const INSPECTOR_PATH = '/iostate';
const DEFAULT_PORT = 3000;
const DEFAULT_ROOMS = ['general', 'random', 'help'];
const MAX_ROOM = 40;
const MAX_NAME = 30;
const MAX_TEXT = 500;
const MAX_LISTED_ROOMS = 50;

/**
 * The inspector's guard in the demo: only this machine may look. Enough for a
 * demo on loopback (the Host check stops DNS rebinding); not for an app, where
 * a reverse proxy on the host makes every request local: use basicAuth there.
 */
export function isLocalRequest(req: http.IncomingMessage): boolean {
  const address = req.socket.remoteAddress ?? '';
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

export interface DemoServer {
  io: Server;
  http: http.Server;
  inspector: InspectorHandler;
  url: string;
  close(): Promise<void>;
}

/** Starts the demo; resolves once it listens. */
export interface DemoOptions {
  port: number;
  host: string;
  /** Also write the event log to this JSONL file. */
  log?: string;
  /** Heartbeat settings; default 10 s and 5 s, short so a silent client times out quickly. */
  pingInterval?: number;
  pingTimeout?: number;
}

export async function startDemo(options: DemoOptions): Promise<DemoServer> {
  const page = renderDemoPage({ inspectorPath: INSPECTOR_PATH });
  // Registered before the Server attaches (it then routes its own paths first); `inspector` is defined below, before any request.
  const server = http.createServer((req, res) => {
    if (inspector(req, res)) return;
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(page);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('not found\n');
  });
  const io = new Server(server, {
    // Short heartbeats, so the swimlanes show pings and a silent client times out quickly.
    pingInterval: options.pingInterval ?? 10_000,
    pingTimeout: options.pingTimeout ?? 5_000,
    ...(options.log !== undefined && { eventLog: { file: options.log } }),
  });
  const inspector = createInspectorHandler(io, { path: INSPECTOR_PATH, auth: isLocalRequest });
  serveChat(io);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host === '127.0.0.1' || options.host === '::1' ? 'localhost' : options.host;
  return {
    io,
    http: server,
    inspector,
    url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        inspector.close();
        io.close(() => resolve());
      }),
  };
}

/** The chat: join and leave rooms, say things to a room, and a way to be kicked. */
function serveChat(io: Server): void {
  const nsp = io.of('/');
  const roomList = () => {
    const rooms = io.log.projections.rooms;
    const names = new Set(DEFAULT_ROOMS);
    for (const room of rooms.roomNames('/')) {
      const members = rooms.membersOf('/', room);
      // Skip each socket's own room.
      if (members && !(members.size === 1 && members.has(room))) names.add(room);
      if (names.size >= MAX_LISTED_ROOMS) break;
    }
    return [...names].map((name) => ({ name, members: rooms.membersOf('/', name)?.size ?? 0 }));
  };
  let pending: NodeJS.Timeout | undefined;
  // Many joins at once (a reconnect storm) send one room list, not one each.
  const announceRooms = () => {
    pending ??= setTimeout(() => {
      pending = undefined;
      nsp.emit(E.rooms, roomList());
    }, 200);
  };

  nsp.on('connection', (socket: Socket) => {
    socket.emit(E.rooms, roomList());
    socket.on(E.join, (room: unknown) => {
      if (!isText(room, MAX_ROOM)) return;
      socket.join(room);
      announceRooms();
    });
    socket.on(E.leave, (room: unknown) => {
      if (!isText(room, MAX_ROOM) || room === socket.id) return;
      socket.leave(room);
      announceRooms();
    });
    socket.on(E.say, (message: unknown) => {
      const { room, name, text } = (message ?? {}) as Record<string, unknown>;
      if (!isText(room, MAX_ROOM) || !isText(name, MAX_NAME) || !isText(text, MAX_TEXT)) return;
      if (!(room in socket.rooms)) return;
      nsp.to(room).emit(E.message, { room, name, text, at: Date.now() });
    });
    socket.on(E.kickMe, () => socket.disconnect(true));
    socket.on('disconnect', announceRooms);
  });
}

function isText(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.trim().length > 0 && value.length <= max;
}

async function run(args: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { port: { type: 'string' }, host: { type: 'string' }, log: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    io.stderr(`iostate serve: ${(error as Error).message}\n\n${usage}`);
    return EXIT_USAGE;
  }
  const { values } = parsed;
  if (values.help) {
    io.stdout(usage);
    return EXIT_OK;
  }
  const rawPort = values.port ?? process.env.PORT ?? String(DEFAULT_PORT);
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65535) {
    io.stderr(`iostate serve: the port must be a number from 0 to 65535, got "${rawPort}"\n`);
    return EXIT_USAGE;
  }

  let demo: DemoServer;
  try {
    demo = await startDemo({ port, host: values.host ?? '127.0.0.1', log: values.log });
  } catch (error) {
    io.stderr(`iostate serve: cannot listen on port ${port}: ${(error as Error).message}\n`);
    return EXIT_FAILED;
  }
  io.stdout(`iostate demo chat   ${demo.url}/\n`);
  io.stdout(`inspector           ${demo.url}${INSPECTOR_PATH}/   (this machine only)\n`);
  if (values.log !== undefined) io.stdout(`event log           ${values.log}\n`);
  io.stdout('Ctrl+C to stop\n');

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await demo.close();
  return EXIT_OK;
}

export const serveCommand: Command = { usage, run };

/**
 * A real server that names things after what a client says, and a raw
 * WebSocket client saying hostile things: namespace and room names and a
 * close reason holding terminal escape sequences, bidi overrides and HTML.
 * Used by test/cli/hostile-strings.test.ts and the browser test.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { Server } from '../../src/actors/server';
import { until } from '../inspect/live';

/** ESC [ 2 J clears the screen, OSC 0 sets the title, OSC 52 writes the clipboard; U+202E reverses what follows. */
export const CLOSE_REASON = '\u001b[2J\u001b]0;owned\u0007\u001b]52;c;ZWNobyBvd25lZA==\u0007</script><script>alert(1)</script>\u202e';
export const NAMESPACE = '/<img src=x onerror=alert(1)>\u001b[31m';
/** Ends with a line of its own that would pass for replay's (a forged close) if the line feed were printed. */
export const ROOM = '</script><img src=x onerror=alert(2)>\u009b2J\u2066\n      00:00:00.000  connection closed: forged by the client';
export const REFUSED_NAMESPACE = '/\u001b]8;;http://evil.example\u0007<svg onload=alert(3)>';

/** Anything a terminal or a bidi algorithm would act on, newline aside. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const RAW_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

export interface HostileServer {
  io: Server;
  url: string;
  close(): Promise<void>;
}

/** A server with the inspector on (any Authorization) whose dynamic namespaces let clients join any room; `file` gets its log. */
export async function startHostileServer(file?: string): Promise<HostileServer> {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  // Each socket is labelled after its namespace's name: a label an application builds from what a client sent.
  const label = (_handshake: unknown, socket: { nsp: { name: string } }) => `label ${socket.nsp.name}`;
  const io = new Server(server, { inspector: { auth: () => true }, eventLog: { label, ...(file === undefined ? {} : { file }) } });
  const hostile = io.of(/^\/(<img|\x1b)/); // eslint-disable-line no-control-regex -- names starting with ESC are the point
  // A refusal whose message repeats the name, as apps' messages often do.
  hostile.use((socket, next) => next(socket.nsp.name.includes('<svg') ? new Error(`no entry to ${socket.nsp.name}`) : undefined));
  hostile.on('connection', (socket) => socket.on('join', (room: string) => socket.join(room)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { io, url, close: () => new Promise<void>((resolve) => io.close(() => resolve())) };
}

/**
 * One hostile visit: connects to NAMESPACE, joins ROOM, is refused at
 * REFUSED_NAMESPACE, then (unless `stay`) closes with CLOSE_REASON once the
 * server has seen it all. Resolves to the Engine.IO sid.
 */
export async function hostileVisit(target: HostileServer, stay = false): Promise<string> {
  const client = await rawClient(target.url);
  const sid = JSON.parse((await client.next(/^0/)).slice(1)).sid as string;
  client.send(`40${NAMESPACE},`);
  await client.next(/^40\/<img/);
  client.send(`42${NAMESPACE},${JSON.stringify(['join', ROOM])}`);
  client.send(`40${REFUSED_NAMESPACE},`);
  await client.next(/^44\//);
  const { log } = target.io;
  await until(
    () => log.projections.sessions.socketsOf(sid).some((socket) => log.projections.rooms.membersOf(NAMESPACE, ROOM)?.has(socket.socketId)),
    'the hostile room joined',
  );
  if (stay) return sid;
  await client.close(4000, CLOSE_REASON);
  await until(() => log.events().some((e) => e.type === 'conn.close' && e.sid === sid), 'the close recorded');
  return sid;
}

/** An Engine.IO v4 WebSocket client speaking packets by hand, so nothing cleans the strings on the way. */
async function rawClient(
  url: string,
): Promise<{ send(packet: string): void; next(match: RegExp): Promise<string>; close(code: number, reason: string): Promise<void> }> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
  const received: string[] = [];
  const waiting: { match: RegExp; resolve: (packet: string) => void }[] = [];
  ws.on('message', (data) => {
    const packet = data.toString();
    if (packet === '2') return ws.send('3');
    const index = waiting.findIndex((w) => w.match.test(packet));
    if (index >= 0) waiting.splice(index, 1)[0]!.resolve(packet);
    else received.push(packet);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    send: (packet) => ws.send(packet),
    next: (match) => {
      const index = received.findIndex((packet) => match.test(packet));
      if (index >= 0) return Promise.resolve(received.splice(index, 1)[0]!);
      return new Promise((resolve) => waiting.push({ match, resolve }));
    },
    close: (code, reason) =>
      new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close(code, reason);
      }),
  };
}

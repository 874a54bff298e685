/**
 * Slowloris: a polling POST body trickled forever must not hold its TCP
 * connection past the end of its session, nor past the moment the server
 * refused it (a binary body on v4: CVE-2026-59725 / GHSA-r635-g3xr-vw7x,
 * polling connection exhaustion). src/transport/polling.ts cuts a body
 * still arriving when its session ends, and answers a refused POST with
 * `Connection: close`, cutting the socket if the body is still coming.
 *
 * Each test waits for the event it is about (the session's end, the
 * refusal) and then for the connection to go, rather than for a wall-clock
 * deadline from its start: on a starved 2-core machine the heartbeat and the
 * bystanders' round trips take seconds. A held connection is held for
 * minutes (the body would take 80 min, Node's requestTimeout is 5 min), so
 * a wait of seconds still tells the two apart.
 */
import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import { attackedServer } from './helpers/attacked-server';
import { PATH, closedByServer, rawRequest, slowRequest, type Protocol } from './helpers/raw';
import { STEADY_HEARTBEAT, until } from './helpers/server';

/** The attacked session ends by the heartbeat, which the bystanders must survive on a starved event loop. */
const SESSION_BOUND_MS = STEADY_HEARTBEAT.pingInterval + STEADY_HEARTBEAT.pingTimeout;
/** Slack for a loaded machine, on the session's end and on the socket's after it. */
const STARVATION_SLACK_MS = 10_000;
/** Heartbeat, slack and three bystander checks of up to 5 s each. */
const TEST_TIMEOUT_MS = 60_000;

const env = attackedServer(STEADY_HEARTBEAT);

async function handshake(protocol: Protocol): Promise<string> {
  const res = await rawRequest(env.running.port, 'GET', `${PATH}?EIO=${protocol}&transport=polling`);
  return JSON.parse(/0(\{.*?"sid".*?\})/.exec(res.body)![1]).sid;
}

describe.each([3, 4] as Protocol[])('slowloris on EIO=%i', (protocol) => {
  it(
    'a body trickled forever is released once its session times out',
    async () => {
      const sid = await handshake(protocol);
      const slow = await slowRequest(
        env.running.port,
        `POST ${PATH}?EIO=${protocol}&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n`,
      );
      const trickle = setInterval(() => slow.write('x'), 50);
      try {
        await env.bystanders.around(async () => {
          await until(() => env.running.io.engine.clients[sid] === undefined, `session ${sid} to time out`, SESSION_BOUND_MS + STARVATION_SLACK_MS);
          await closedByServer(slow, STARVATION_SLACK_MS);
        });
      } finally {
        clearInterval(trickle);
        slow.destroy();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a refused POST body is not read forever',
    async () => {
      const sid = await handshake(protocol);
      // v4 refuses binary bodies; v3 refuses a POST on a JSONP-less session only by size, so use an overlap there.
      const refused = protocol === 4 ? 'application/octet-stream' : 'text/plain';
      const sockets: net.Socket[] = [];
      let trickle: NodeJS.Timeout | undefined;
      try {
        const answer = await env.bystanders.around(async () => {
          if (protocol === 3)
            sockets.push(
              await slowRequest(env.running.port, `POST ${PATH}?EIO=3&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n1`),
            );
          const slow = await slowRequest(
            env.running.port,
            `POST ${PATH}?EIO=${protocol}&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\nContent-Type: ${refused}\r\nContent-Length: 100000\r\n\r\n`,
          );
          sockets.push(slow);
          // Read from the first byte: once the server cuts the socket, the next trickled write fails and Node drops what was left unread.
          const closed = closedByServer(slow, STARVATION_SLACK_MS);
          trickle = setInterval(() => slow.write('x'), 50);
          return closed;
        });
        expect(answer).toMatch(/^HTTP\/1\.1 400/);
      } finally {
        clearInterval(trickle);
        for (const socket of sockets) socket.destroy();
      }
    },
    TEST_TIMEOUT_MS,
  );
});

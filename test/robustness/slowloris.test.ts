/**
 * Slowloris: a polling POST body trickled forever must not hold its TCP
 * connection past the end of its session, nor past the moment the server
 * refused it (a binary body on v4: CVE-2026-59725 / GHSA-r635-g3xr-vw7x,
 * polling connection exhaustion). src/transport/polling.ts cuts a body
 * still arriving when its session ends, and answers a refused POST with
 * `Connection: close`, cutting the socket if the body is still coming.
 */
import { describe, expect, it } from 'vitest';
import { attackedServer } from './helpers/attacked-server';
import { PATH, closedByServer, rawRequest, slowRequest, type Protocol } from './helpers/raw';

const HEARTBEAT = { pingInterval: 200, pingTimeout: 200 };
const SESSION_BOUND_MS = HEARTBEAT.pingInterval + HEARTBEAT.pingTimeout;

const env = attackedServer(HEARTBEAT);

describe.each([3, 4] as Protocol[])('slowloris on EIO=%i', (protocol) => {
  it('a body trickled forever is released once its session times out', async () => {
    const res = await rawRequest(env.running.port, 'GET', `${PATH}?EIO=${protocol}&transport=polling`);
    const sid: string = JSON.parse(/0(\{.*?"sid".*?\})/.exec(res.body)![1]).sid;
    const start = Date.now();
    const slow = await slowRequest(
      env.running.port,
      `POST ${PATH}?EIO=${protocol}&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n`,
    );
    const trickle = setInterval(() => slow.write('x'), 50);
    try {
      await env.bystanders.around(() => closedByServer(slow, SESSION_BOUND_MS + 2000));
      expect(env.running.io.engine.clients[sid]).toBeUndefined();
      expect(Date.now() - start).toBeLessThan(SESSION_BOUND_MS + 2000);
    } finally {
      clearInterval(trickle);
      slow.destroy();
    }
  });

  it('a refused POST body is not read forever', async () => {
    const res = await rawRequest(env.running.port, 'GET', `${PATH}?EIO=${protocol}&transport=polling`);
    const sid: string = JSON.parse(/0(\{.*?"sid".*?\})/.exec(res.body)![1]).sid;
    // v4 refuses binary bodies; v3 refuses a POST on a JSONP-less session only by size, so use an overlap there.
    const refused = protocol === 4 ? 'application/octet-stream' : 'text/plain';
    if (protocol === 3)
      void slowRequest(env.running.port, `POST ${PATH}?EIO=3&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n1`);
    const slow = await slowRequest(
      env.running.port,
      `POST ${PATH}?EIO=${protocol}&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\nContent-Type: ${refused}\r\nContent-Length: 100000\r\n\r\n`,
    );
    const trickle = setInterval(() => slow.write('x'), 50);
    try {
      const answer = await env.bystanders.around(() => closedByServer(slow, 2000));
      expect(answer).toMatch(/^HTTP\/1\.1 400/);
    } finally {
      clearInterval(trickle);
      slow.destroy();
    }
  });
});

/**
 * Hostile HTTP requests to the Engine.IO endpoint, with bystanders: invalid
 * EIO, transport and sid, repeated query parameters (CVE-2023-31125's class),
 * wrong methods, overlapping polls and posts, bodies trickled (slowloris) or
 * cut short, and connection resets mid-request (CVE-2022-41940's class).
 * Each is answered with an error or ends only its own session; none creates
 * a session it should not, and every held request is released by a bound.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { attackedServer } from './helpers/attacked-server';
import { PATH, RawSession, pollingPayload, rawRequest, slowRequest, type Protocol } from './helpers/raw';
import { sleep, sessionsOpenedSince, STEADY_HEARTBEAT, until } from './helpers/server';
import { checkInvariants } from './helpers/invariants';

/**
 * How long a silent session may be seen alive: v3 waits pingInterval + pingTimeout for a ping, v4 as long for a
 * pong, and a loaded machine runs those timers late. A session held by the attack would live for minutes.
 */
const SESSION_BOUND_MS = STEADY_HEARTBEAT.pingInterval + STEADY_HEARTBEAT.pingTimeout + 10_000;

// The bystanders' heartbeat too: a shorter one (500 ms / 1 s) is a pong a starved client can miss.
const env = attackedServer(STEADY_HEARTBEAT);

/** A handshake by hand, with nobody polling afterwards. */
async function bareSession(protocol: Protocol): Promise<string> {
  const res = await rawRequest(env.running.port, 'GET', `${PATH}?EIO=${protocol}&transport=polling`);
  return JSON.parse(/0(\{.*?"sid".*?\})/.exec(res.body)![1]).sid;
}

const sessionQuery = (protocol: Protocol, sid: string) => `EIO=${protocol}&transport=polling&sid=${encodeURIComponent(sid)}`;

describe('requests that must be refused without a session', () => {
  const refused: Array<[string, string, string, number]> = [
    ['EIO=5', 'GET', '?EIO=5&transport=polling', 400],
    ['EIO=2', 'GET', '?EIO=2&transport=polling', 400],
    ['EIO=abc', 'GET', '?EIO=abc&transport=polling', 400],
    ['transport=flashsocket', 'GET', '?EIO=4&transport=flashsocket', 400],
    ['no transport', 'GET', '?EIO=4', 400],
    ['transport=websocket without an upgrade', 'GET', '?EIO=4&transport=websocket', 400],
    ['unknown sid', 'GET', '?EIO=4&transport=polling&sid=nope', 400],
    ['unknown sid (POST)', 'POST', '?EIO=3&transport=polling&sid=nope', 400],
    ['handshake by POST', 'POST', '?EIO=4&transport=polling', 400],
    ['handshake by PUT', 'PUT', '?EIO=4&transport=polling', 400],
    ['repeated sid', 'GET', '?EIO=4&transport=polling&sid=a&sid=b', 400],
    ['repeated EIO', 'GET', '?EIO=4&EIO=3&transport=polling', 400],
    ['repeated transport', 'GET', '?EIO=4&transport=polling&transport=websocket', 400],
    ['repeated b64', 'GET', '?EIO=3&transport=polling&b64=1&b64=0', 400],
    ['repeated j', 'GET', '?EIO=3&transport=polling&j=0&j=1', 400],
    ['percent garbage', 'GET', '?EIO=%E0%A4%A&transport=%ZZ', 400],
  ];

  it.each(refused)('%s', async (_name, method, query, status) => {
    const since = env.running.io.log.lastPosition;
    const res = await env.bystanders.around(() => rawRequest(env.running.port, method, `${PATH}${query}`));
    expect(res.status).toBe(status);
    expect(() => JSON.parse(res.body), res.body).not.toThrow();
    expect(JSON.parse(res.body)).toMatchObject({ code: expect.any(Number), message: expect.any(String) });
    expect(sessionsOpenedSince(env.running, since)).toBe(0);
  });

  it('an empty sid is a handshake, as in engine.io', async () => {
    const res = await env.bystanders.around(() => rawRequest(env.running.port, 'GET', `${PATH}?EIO=4&transport=polling&sid=`));
    expect(res.status).toBe(200);
  });

  it('a JSONP index carrying script is reduced to its digits', async () => {
    const res = await env.bystanders.around(() =>
      rawRequest(env.running.port, 'GET', `${PATH}?EIO=3&transport=polling&j=${encodeURIComponent('1);alert(document.cookie);//')}`),
    );
    expect(res.status).toBe(200);
    expect(res.body).not.toContain('alert');
    expect(res.body).toMatch(/^___eio\[1\]\(/);
  });

  it.each(['PUT', 'DELETE', 'PATCH'])('%s on a live session is refused and does not break it', async (method) => {
    const victim = await RawSession.open(env.running.port, 4, 'polling');
    try {
      const res = await env.bystanders.around(() => rawRequest(env.running.port, method, `${PATH}?${victim.query}`));
      expect(res.status).toBe(400);
    } finally {
      victim.close();
    }
  });
});

describe.each([3, 4] as Protocol[])('polling abuse on EIO=%i', (protocol) => {
  it('a second GET while one is pending ends only that session', async () => {
    const sid = await bareSession(protocol);
    // Bystanders are checked around the pair, not between: a broadcast would answer the pending poll.
    await env.bystanders.check('before the overlap');
    // A v3 session has packets waiting (its CONNECT, the broadcast): the first poll returns at once.
    if (protocol === 3) await rawRequest(env.running.port, 'GET', `${PATH}?${sessionQuery(protocol, sid)}`);
    const first = rawRequest(env.running.port, 'GET', `${PATH}?${sessionQuery(protocol, sid)}`).catch(() => undefined);
    await until(() => env.running.io.engine.clients[sid]?.transport.writable === true, 'the first poll to be pending');
    const second = await rawRequest(env.running.port, 'GET', `${PATH}?${sessionQuery(protocol, sid)}`);
    expect(second.status).toBe(400);
    await until(() => env.running.io.engine.clients[sid] === undefined, 'the overlapping session to close');
    await first;
    await env.bystanders.check('after the overlap');
    checkInvariants(env.running.io);
  });

  it('a second POST while one is still arriving ends only that session', async () => {
    const sid = await bareSession(protocol);
    const slow = await slowRequest(
      env.running.port,
      `POST ${PATH}?${sessionQuery(protocol, sid)} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n${'x'.repeat(10)}`,
    );
    try {
      const second = await env.bystanders.around(() =>
        rawRequest(env.running.port, 'POST', `${PATH}?${sessionQuery(protocol, sid)}`, { body: pollingPayload(protocol, ['42["x"]']) }),
      );
      expect(second.status).toBe(400);
      await until(() => env.running.io.engine.clients[sid] === undefined, 'the overlapping session to close');
    } finally {
      slow.destroy();
    }
  });

  it('a body cut short by the client ends only that session', async () => {
    const sid = await bareSession(protocol);
    const partial = await slowRequest(
      env.running.port,
      `POST ${PATH}?${sessionQuery(protocol, sid)} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n${'x'.repeat(100)}`,
    );
    await env.bystanders.around(async () => {
      partial.destroy();
      await until(() => env.running.io.engine.clients[sid] === undefined, 'the cut session to close', SESSION_BOUND_MS);
    });
    checkInvariants(env.running.io);
  });

  it('connection resets in the middle of handshakes, polls and posts (CVE-2022-41940)', async () => {
    const sid = await bareSession(protocol);
    await env.bystanders.around(async () => {
      const heads = [
        `GET ${PATH}?EIO=${protocol}&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n`,
        `GET ${PATH}?${sessionQuery(protocol, sid)} HTTP/1.1\r\nHost: x\r\n\r\n`,
        `POST ${PATH}?${sessionQuery(protocol, sid)} HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n12`,
        `GET ${PATH}?EIO=${protocol}&transport=websocket HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      ];
      for (const head of heads) {
        const socket: net.Socket = await slowRequest(env.running.port, head);
        await sleep(5);
        socket.resetAndDestroy();
      }
      await sleep(50);
    });
    await until(() => env.running.io.engine.clients[sid] === undefined, 'the reset session to close', SESSION_BOUND_MS);
  });
});

/**
 * Access control under attack, with bystanders from the allowed origin:
 * origins (CVE-2020-28481's class: a foreign origin must never get a session
 * nor a CORS grant, on polling, WebSocket handshakes or upgrades of an
 * existing session) and allowRequest (refusals, a hook that throws, a hook
 * that answers twice). Refused requests create nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { IncomingMessage } from 'node:http';
import { Bystanders } from './helpers/bystanders';
import { PATH, rawRequest } from './helpers/raw';
import { sleep, sessionsOpenedSince, STEADY_HEARTBEAT, startIostate, type Running } from './helpers/server';

const GOOD = 'http://good.example';
const EVIL = 'http://evil.example';

let running: Running;
let bystanders: Bystanders;

/** Denies by query marker, so one server serves every case. */
function allowRequest(req: IncomingMessage, answer: (err: string | null, ok: boolean) => void): void {
  const url = req.url ?? '';
  if (url.includes('deny=1')) return answer('denied by policy', false);
  if (url.includes('throw=1')) throw new Error('allowRequest bug');
  if (url.includes('twice=1')) {
    answer(null, true);
    answer('changed my mind', false);
    return;
  }
  answer(null, true);
}

beforeAll(async () => {
  running = await startIostate({ ...STEADY_HEARTBEAT, origins: ['good.example:*'], allowRequest });
  bystanders = await Bystanders.join(running, { Origin: GOOD });
});

afterAll(async () => {
  bystanders?.leave();
  await running?.stop();
});

function wsStatus(query: string, headers: Record<string, string>): Promise<number> {
  const ws = new WebSocket(`ws://127.0.0.1:${running.port}${PATH}?${query}`, { headers });
  return new Promise((resolve) => {
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', () => resolve(0));
  });
}

describe('origins', () => {
  it.each(['3', '4'])('a foreign origin gets no session and no CORS grant (EIO=%s polling)', async (eio) => {
    const since = running.io.log.lastPosition;
    const res = await bystanders.around(() => rawRequest(running.port, 'GET', `${PATH}?EIO=${eio}&transport=polling`, { headers: { Origin: EVIL } }));
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).not.toBe(EVIL);
    expect(sessionsOpenedSince(running, since)).toBe(0);
  });

  it.each(['3', '4'])('a foreign origin gets no WebSocket session (EIO=%s)', async (eio) => {
    const since = running.io.log.lastPosition;
    const status = await bystanders.around(() => wsStatus(`EIO=${eio}&transport=websocket`, { Origin: EVIL }));
    expect(status).not.toBe(101);
    await sleep(20);
    expect(sessionsOpenedSince(running, since)).toBe(0);
  });

  it('a foreign origin cannot take over a session by upgrading it', async () => {
    const res = await rawRequest(running.port, 'GET', `${PATH}?EIO=4&transport=polling`, { headers: { Origin: GOOD } });
    const sid = JSON.parse(/0(\{.*\})/.exec(res.body)![1]).sid;
    const status = await bystanders.around(() => wsStatus(`EIO=4&transport=websocket&sid=${sid}`, { Origin: EVIL }));
    expect(status).not.toBe(101);
    expect(running.io.engine.clients[sid]?.transport.name).toBe('polling');
  });

  it('the allowed origin is granted with credentials, a preflight from a foreign one is not', async () => {
    const good = await rawRequest(running.port, 'GET', `${PATH}?EIO=4&transport=polling`, { headers: { Origin: GOOD } });
    expect(good.status).toBe(200);
    expect(good.headers['access-control-allow-origin']).toBe(GOOD);
    const preflight = await bystanders.around(() =>
      rawRequest(running.port, 'OPTIONS', `${PATH}?EIO=4&transport=polling`, { headers: { Origin: EVIL, 'Access-Control-Request-Method': 'POST' } }),
    );
    expect(preflight.headers['access-control-allow-origin']).not.toBe(EVIL);
  });
});

describe('allowRequest', () => {
  it.each([
    ['a refusal', 'deny=1'],
    ['a hook that throws', 'throw=1'],
  ])('%s answers 403 on polling and WebSocket and creates nothing', async (_name, marker) => {
    const since = running.io.log.lastPosition;
    const [polling, ws] = await bystanders.around(() =>
      Promise.all([
        rawRequest(running.port, 'GET', `${PATH}?EIO=4&transport=polling&${marker}`, { headers: { Origin: GOOD } }),
        wsStatus(`EIO=3&transport=websocket&${marker}`, { Origin: GOOD }),
      ]),
    );
    expect(polling.status).toBe(403);
    expect(ws).toBe(403);
    expect(sessionsOpenedSince(running, since)).toBe(0);
  });

  it('a hook that answers twice is taken at its first word', async () => {
    const res = await bystanders.around(() => rawRequest(running.port, 'GET', `${PATH}?EIO=4&transport=polling&twice=1`, { headers: { Origin: GOOD } }));
    expect(res.status).toBe(200);
  });
});

describe('session ids (CVE-2017-16031: ids must not be guessable)', () => {
  it('are 20 base64url characters (120 random bits) and never repeat', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) ids.add(running.io.engine.generateId({} as IncomingMessage));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{20}$/);
  });
});

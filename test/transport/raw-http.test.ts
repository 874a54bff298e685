/** Raw HTTP against the engine: every error code, both protocols' polling framing, JSONP, CORS, cookies, compression, limits. */
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineOptions } from '../../src/transport/engine-server';
import type { EngineSocket } from '../../src/transport/engine-socket';
import { closeOf, handshake, request, startEngine, until, type TestEngine } from './helpers';

let env: TestEngine | undefined;

afterEach(async () => {
  await env?.close();
  env = undefined;
});

async function start(options: EngineOptions = {}, path?: string): Promise<TestEngine> {
  env = await startEngine(options, path);
  return env;
}

const get = (path: string, headers?: Record<string, string>) => request(env!.port, 'GET', path, { headers });
const post = (path: string, body: string | Buffer, headers?: Record<string, string>) => request(env!.port, 'POST', path, { body, headers });

/** Opens a raw session and returns it with the server-side socket. */
async function open(query: string): Promise<{ sid: string; socket: EngineSocket; handshakeText: string }> {
  const accepted = env!.nextConnection();
  const { sid, response } = await handshake(env!.port, query);
  return { sid, socket: await accepted, handshakeText: response.text };
}

describe('engine errors over HTTP', () => {
  const cases: Array<[string, string, string, number, number, string]> = [
    ['unknown transport', 'GET', '/engine.io/?EIO=4&transport=carrier-pigeon', 400, 0, 'Transport unknown'],
    ['unknown sid', 'GET', '/engine.io/?EIO=4&transport=polling&sid=nope', 400, 1, 'Session ID unknown'],
    ['handshake by POST', 'POST', '/engine.io/?EIO=4&transport=polling', 400, 2, 'Bad handshake method'],
    ['websocket handshake without an upgrade', 'GET', '/engine.io/?EIO=4&transport=websocket', 400, 3, 'Bad request'],
    ['unsupported protocol version', 'GET', '/engine.io/?EIO=5&transport=polling', 400, 5, 'Unsupported protocol version'],
    ['an old protocol version', 'GET', '/engine.io/?EIO=2&transport=polling', 400, 5, 'Unsupported protocol version'],
  ];
  for (const [name, method, path, status, code, message] of cases) {
    it(`${name} → ${status} {code: ${code}}`, async () => {
      await start();
      const errors: Array<{ code: number; message: string }> = [];
      env!.engine.on('connection_error', (error) => errors.push(error));
      const response = await request(env!.port, method, path);
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toBe('application/json');
      expect(JSON.parse(response.text)).toEqual({ code, message });
      expect(errors).toEqual([expect.objectContaining({ code, message })]);
    });
  }

  it('forbidden origin → 403 {code: 4}; allowRequest refusals → 403 with its message, or the code it gave', async () => {
    await start({ origins: ['http://good.example:80'] });
    const refused = await get('/engine.io/?EIO=4&transport=polling', { Origin: 'http://evil.example' });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text)).toEqual({ code: 4, message: 'Forbidden' });
    expect((await get('/engine.io/?EIO=4&transport=polling', { Origin: 'http://good.example' })).status).toBe(200);
    await env!.close();

    await start({ allowRequest: (req, fn) => (req.headers['x-token'] === 'ok' ? fn(null, true) : fn('token missing', false)) });
    const custom = await get('/engine.io/?EIO=3&transport=polling');
    expect(custom.status).toBe(403);
    expect(JSON.parse(custom.text)).toEqual({ code: 4, message: 'token missing' });
    expect((await get('/engine.io/?EIO=3&transport=polling', { 'X-Token': 'ok' })).status).toBe(200);
    await env!.close();

    await start({ allowRequest: (_req, fn) => fn(3, false) });
    const coded = await get('/engine.io/?EIO=4&transport=polling');
    expect(coded.status).toBe(400);
    expect(JSON.parse(coded.text)).toEqual({ code: 3, message: 'Bad request' });
  });

  it('a sid used with the other protocol version is a bad request', async () => {
    await start();
    const { sid } = await open('EIO=4&transport=polling');
    const mismatch = await get(`/engine.io/?EIO=3&transport=polling&sid=${sid}`);
    expect(mismatch.status).toBe(400);
    expect(JSON.parse(mismatch.text)).toEqual({ code: 3, message: 'Bad request' });
  });

  it('requests outside the engine path reach the application; a custom path works', async () => {
    await start({}, '/socket.io');
    const outside = await get('/elsewhere');
    expect(outside.status).toBe(404);
    expect(outside.text).toBe('not the engine');
    expect((await get('/engine.io/?EIO=4&transport=polling')).text).toBe('not the engine');
    expect((await get('/socket.io/?EIO=4&transport=polling')).status).toBe(200);
  });
});

describe('v4 polling framing', () => {
  it('handshake: open packet with sid, upgrades, pingInterval, pingTimeout and maxPayload', async () => {
    await start({ pingInterval: 300, pingTimeout: 200, maxHttpBufferSize: 5000 });
    const response = await get('/engine.io/?EIO=4&transport=polling');
    expect(response.headers['content-type']).toBe('text/plain; charset=UTF-8');
    expect(response.text[0]).toBe('0');
    const open = JSON.parse(response.text.slice(1));
    expect(open).toEqual({ sid: expect.any(String), upgrades: ['websocket'], pingInterval: 300, pingTimeout: 200, maxPayload: 5000 });
  });

  it('payloads join packets with \\x1e both ways, binary as b+base64', async () => {
    await start();
    const { sid, socket } = await open('EIO=4&transport=polling');
    const received: unknown[] = [];
    socket.on('message', (data) => received.push(data));
    const posted = await post(`/engine.io/?EIO=4&transport=polling&sid=${sid}`, '4hello\x1e4wörld\x1ebAQID', { 'Content-Type': 'text/plain;charset=UTF-8' });
    expect(posted.status).toBe(200);
    expect(posted.text).toBe('ok');
    expect(received).toEqual(['hello', 'wörld', Buffer.from([1, 2, 3])]);
    socket.send('one');
    socket.send(Buffer.from([4, 5]));
    const polled = await get(`/engine.io/?EIO=4&transport=polling&sid=${sid}`);
    expect(polled.text).toBe('4one\x1ebBAU=');
  });

  it('the server pings over polling and a pong keeps the session', async () => {
    await start({ pingInterval: 50, pingTimeout: 1000 });
    const { sid } = await open('EIO=4&transport=polling');
    expect((await get(`/engine.io/?EIO=4&transport=polling&sid=${sid}`)).text).toBe('2');
    await post(`/engine.io/?EIO=4&transport=polling&sid=${sid}`, '3');
    const steps = env!.records.filter((r) => r.type === 'conn.heartbeat').map((r) => (r as { step: string }).step);
    expect(steps.slice(0, 2)).toEqual(['ping-sent', 'pong-received']);
    expect(env!.engine.clientsCount).toBe(1);
  });

  it('a binary (octet-stream) POST is refused for v4 and ends the session', async () => {
    await start();
    const { sid, socket } = await open('EIO=4&transport=polling');
    const closed = closeOf(socket);
    const response = await post(`/engine.io/?EIO=4&transport=polling&sid=${sid}`, Buffer.from([1, 2]), { 'Content-Type': 'application/octet-stream' });
    expect(response.status).toBe(400);
    expect((await closed)[0]).toBe('transport error');
  });
});

describe('v3 polling framing', () => {
  it('handshake: length-prefixed open packet without maxPayload', async () => {
    await start({ pingInterval: 300, pingTimeout: 200 });
    const response = await get('/engine.io/?EIO=3&transport=polling');
    const match = /^(\d+):(0.*)$/.exec(response.text)!;
    expect(Number(match[1])).toBe(match[2].length);
    expect(JSON.parse(match[2].slice(1))).toEqual({ sid: expect.any(String), upgrades: ['websocket'], pingInterval: 300, pingTimeout: 200 });
  });

  it('b64=1: binary goes as "b4"+base64 in a text payload; text payloads are read with their length prefixes', async () => {
    await start();
    const { sid, socket } = await open('EIO=3&transport=polling&b64=1');
    const received: unknown[] = [];
    socket.on('message', (data) => received.push(data));
    await post(`/engine.io/?EIO=3&transport=polling&sid=${sid}`, '6:4héllo6:b4AQID');
    expect(received).toEqual(['héllo', Buffer.from([1, 2, 3])]);
    socket.send('hi');
    socket.send(Buffer.from([1, 2, 3]));
    const polled = await get(`/engine.io/?EIO=3&transport=polling&sid=${sid}`);
    expect(polled.headers['content-type']).toBe('text/plain; charset=UTF-8');
    expect(polled.text).toBe('3:4hi6:b4AQID');
  });

  it('XHR2: binary goes as an octet-stream binary payload both ways', async () => {
    await start();
    const { sid, socket } = await open('EIO=3&transport=polling');
    const received: unknown[] = [];
    socket.on('message', (data) => received.push(data));
    socket.send('hi');
    socket.send(Buffer.from([9, 8]));
    const polled = await get(`/engine.io/?EIO=3&transport=polling&sid=${sid}`);
    expect(polled.headers['content-type']).toBe('application/octet-stream');
    // [0=text][length 3][255]"4hi" [1=binary][length 3][255][4=message][9][8]
    expect(polled.body).toEqual(Buffer.from([0, 3, 255, ...Buffer.from('4hi'), 1, 3, 255, 4, 9, 8]));
    const body = Buffer.from([0, 2, 255, ...Buffer.from('4a'), 1, 2, 255, 4, 42]);
    await post(`/engine.io/?EIO=3&transport=polling&sid=${sid}`, body, { 'Content-Type': 'application/octet-stream' });
    expect(received).toEqual(['a', Buffer.from([42])]);
  });

  it('JSONP: responses call ___eio[j](...), form-encoded d= bodies are read with their escaped newlines', async () => {
    await start();
    const response = await get('/engine.io/?EIO=3&transport=polling&j=2');
    expect(response.headers['content-type']).toBe('text/javascript; charset=UTF-8');
    const match = /^___eio\[2\]\((".*")\);$/.exec(response.text)!;
    const payload = JSON.parse(match[1]) as string;
    const sid = JSON.parse(payload.slice(payload.indexOf('{'))).sid as string;
    const socket = env!.engine.clients[sid];
    const received: unknown[] = [];
    socket.on('message', (data) => received.push(data));
    // The JSONP client writes a real newline as "\n" and a literal backslash-n as "\\\n".
    const wire = '12:4line1\\nline2'.concat('7:4a\\\\nb c');
    const posted = await post(`/engine.io/?EIO=3&transport=polling&j=2&sid=${sid}`, `d=${encodeURIComponent(wire)}`, {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(posted.text).toBe('ok');
    expect(received).toEqual(['line1\nline2', 'a\\nb c']);
    socket.send('say "hi"\u2028');
    socket.send(Buffer.from([1]));
    const polled = await get(`/engine.io/?EIO=3&transport=polling&j=2&sid=${sid}`);
    expect(polled.text).toBe('___eio[2]("10:4say \\"hi\\"\\u20286:b4AQ==");');
  });

  it('client pings over polling get a pong on the next poll; a v4 client pinging is a protocol error', async () => {
    await start();
    const v3session = await open('EIO=3&transport=polling');
    await post(`/engine.io/?EIO=3&transport=polling&sid=${v3session.sid}`, '1:2');
    expect((await get(`/engine.io/?EIO=3&transport=polling&sid=${v3session.sid}`)).text).toBe('1:3');
    expect(env!.records).toContainEqual({ type: 'conn.heartbeat', sid: v3session.sid, step: 'ping-received' });

    const v4session = await open('EIO=4&transport=polling');
    const closed = closeOf(v4session.socket);
    await post(`/engine.io/?EIO=4&transport=polling&sid=${v4session.sid}`, '2');
    expect(await closed).toEqual(['transport error', expect.objectContaining({ description: 'invalid heartbeat direction' })]);
  });

  it('an unparseable payload ends the session with "parse error"', async () => {
    await start();
    const { sid, socket } = await open('EIO=3&transport=polling');
    const closed = closeOf(socket);
    const response = await post(`/engine.io/?EIO=3&transport=polling&sid=${sid}`, '99:4short');
    expect(response.status).toBe(400);
    const [reason, details] = await closed;
    expect(reason).toBe('parse error');
    expect(details.description).toMatch(/truncated/);
  });
});

describe('HTTP concerns', () => {
  it('CORS: the Origin is echoed with credentials, "*" without one; preflights are answered', async () => {
    await start();
    const withOrigin = await get('/engine.io/?EIO=4&transport=polling', { Origin: 'http://app.example:8080' });
    expect(withOrigin.headers['access-control-allow-origin']).toBe('http://app.example:8080');
    expect(withOrigin.headers['access-control-allow-credentials']).toBe('true');
    const without = await get('/engine.io/?EIO=4&transport=polling');
    expect(without.headers['access-control-allow-origin']).toBe('*');
    const preflight = await request(env!.port, 'OPTIONS', '/engine.io/?EIO=4&transport=polling&sid=x', { headers: { Origin: 'http://app.example:8080' } });
    expect(preflight.status).toBe(200);
    expect(preflight.headers['access-control-allow-headers']).toBe('Content-Type');
    expect(preflight.headers['access-control-allow-origin']).toBe('http://app.example:8080');
  });

  it('origins: host:port, host:*, *:port and full URL forms, mutable at runtime, function form', async () => {
    await start({ origins: 'a.example:* *:3000 https://b.example:443' });
    const status = async (origin: string) => (await get('/engine.io/?EIO=4&transport=polling', { Origin: origin })).status;
    expect(await status('http://a.example:1234')).toBe(200);
    expect(await status('http://c.example:3000')).toBe(200);
    expect(await status('https://b.example')).toBe(200);
    expect(await status('http://b.example')).toBe(403);
    env!.engine.origins = (origin, cb) => cb(null, origin === 'http://only.example');
    expect(await status('http://a.example:1234')).toBe(403);
    expect(await status('http://only.example')).toBe(200);
    env!.engine.origins = (_origin, cb) => cb('origin not allowed', false);
    const refused = await get('/engine.io/?EIO=4&transport=polling', { Origin: 'http://only.example' });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text)).toEqual({ code: 4, message: 'origin not allowed' });
    const preflight = await request(env!.port, 'OPTIONS', '/engine.io/?EIO=4&transport=polling', { headers: { Origin: 'http://x.example' } });
    expect(preflight.status).toBe(403);
  });

  it('cookie: io=<sid>; Path=/; HttpOnly; SameSite=Lax by default, configurable, or none', async () => {
    await start();
    const { sid, response } = await handshake(env!.port, 'EIO=4&transport=polling');
    expect(response.headers['set-cookie']).toEqual([`io=${sid}; Path=/; HttpOnly; SameSite=Lax`]);
    await env!.close();
    await start({ cookie: 'eio', cookiePath: false });
    const custom = await handshake(env!.port, 'EIO=4&transport=polling');
    expect(custom.response.headers['set-cookie']).toEqual([`eio=${custom.sid}; SameSite=Lax`]);
    await env!.close();
    await start({ cookie: false });
    expect((await handshake(env!.port, 'EIO=4&transport=polling')).response.headers['set-cookie']).toBeUndefined();
  });

  it('httpCompression: gzip or deflate above the threshold, as accepted; off when disabled', async () => {
    await start();
    const { sid, socket } = await open('EIO=4&transport=polling');
    const big = 'z'.repeat(5000);
    socket.send(big);
    const gz = await get(`/engine.io/?EIO=4&transport=polling&sid=${sid}`, { 'Accept-Encoding': 'gzip, deflate' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.body).toString()).toBe(`4${big}`);
    socket.send(big);
    const deflated = await get(`/engine.io/?EIO=4&transport=polling&sid=${sid}`, { 'Accept-Encoding': 'deflate' });
    expect(deflated.headers['content-encoding']).toBe('deflate');
    expect(zlib.inflateSync(deflated.body).toString()).toBe(`4${big}`);
    socket.send('small');
    const small = await get(`/engine.io/?EIO=4&transport=polling&sid=${sid}`, { 'Accept-Encoding': 'gzip' });
    expect(small.headers['content-encoding']).toBeUndefined();
    socket.send(big, { compress: false });
    const uncompressed = await get(`/engine.io/?EIO=4&transport=polling&sid=${sid}`, { 'Accept-Encoding': 'gzip' });
    expect(uncompressed.headers['content-encoding']).toBeUndefined();
    await env!.close();
    await start({ httpCompression: false });
    const plain = await open('EIO=4&transport=polling');
    plain.socket.send(big);
    expect((await get(`/engine.io/?EIO=4&transport=polling&sid=${plain.sid}`, { 'Accept-Encoding': 'gzip' })).headers['content-encoding']).toBeUndefined();
  });

  it('a POST over maxHttpBufferSize gets 413 and ends the session, recording size and limit', async () => {
    await start({ maxHttpBufferSize: 100 });
    const { sid, socket } = await open('EIO=4&transport=polling');
    const closed = closeOf(socket);
    const response = await post(`/engine.io/?EIO=4&transport=polling&sid=${sid}`, `4${'x'.repeat(300)}`);
    expect(response.status).toBe(413);
    const [reason, details] = await closed;
    expect(reason).toBe('transport error');
    expect(details).toMatchObject({ size: 301, limit: 100, initiator: 'server' });
    expect(env!.records).toContainEqual({ type: 'conn.error', sid, transport: 'polling', message: 'payload too large', size: 301, limit: 100 });
    expect(JSON.parse((await get(`/engine.io/?EIO=4&transport=polling&sid=${sid}`)).text)).toEqual({ code: 1, message: 'Session ID unknown' });
  });

  it('a second pending GET ends the session; the first poll gets the close packet', async () => {
    await start();
    const { sid, socket } = await open('EIO=4&transport=polling');
    const closed = closeOf(socket);
    const first = get(`/engine.io/?EIO=4&transport=polling&sid=${sid}`);
    await until(() => socket.transport.writable);
    const second = await get(`/engine.io/?EIO=4&transport=polling&sid=${sid}`);
    expect(second.status).toBe(400);
    expect((await first).text).toBe('1');
    const [reason, details] = await closed;
    expect(reason).toBe('transport error');
    expect(details.description).toMatch(/overlap/);
  });

  // As engine.io: socket.io-client 4 hands a response's packets over a tick
  // late, so a close packet in the same response would overtake them.
  it('socket.close() over polling: buffered packets go out on the next poll, the close packet on the one after', async () => {
    await start();
    const { sid, socket } = await open('EIO=4&transport=polling');
    const closed = closeOf(socket);
    socket.send('last words');
    socket.close();
    expect(socket.readyState).toBe('closing');
    const polled = await get(`/engine.io/?EIO=4&transport=polling&sid=${sid}`);
    expect(polled.text).toBe('4last words');
    expect(socket.readyState).toBe('closing');
    const last = await get(`/engine.io/?EIO=4&transport=polling&sid=${sid}`);
    expect(last.text).toBe('1');
    expect((await closed)[0]).toBe('forced close');
  });

  it('a client close packet ends the session with "transport close"', async () => {
    await start();
    const { sid, socket } = await open('EIO=3&transport=polling');
    const closed = closeOf(socket);
    await post(`/engine.io/?EIO=3&transport=polling&sid=${sid}`, '1:1');
    expect(await closed).toEqual(['transport close', expect.objectContaining({ initiator: 'client', transport: 'polling' })]);
  });

  it('bad input on one session leaves a bystander session exchanging messages', async () => {
    await start({ maxHttpBufferSize: 200 });
    const bystander = await open('EIO=4&transport=polling');
    const echoes: unknown[] = [];
    bystander.socket.on('message', (data) => {
      echoes.push(data);
      bystander.socket.send(data);
    });
    const victims = await Promise.all([open('EIO=4&transport=polling'), open('EIO=3&transport=polling'), open('EIO=4&transport=polling')]);
    await post(`/engine.io/?EIO=4&transport=polling&sid=${victims[0].sid}`, 'garbage\x1e\x1e');
    await post(`/engine.io/?EIO=3&transport=polling&sid=${victims[1].sid}`, 'x'.repeat(1000));
    await Promise.all([
      get(`/engine.io/?EIO=4&transport=polling&sid=${victims[2].sid}`),
      get(`/engine.io/?EIO=4&transport=polling&sid=${victims[2].sid}`),
    ]).catch(() => {});
    await get('/engine.io/?EIO=4&transport=polling&sid=unknown');
    await until(() => env!.engine.clientsCount === 1);
    await post(`/engine.io/?EIO=4&transport=polling&sid=${bystander.sid}`, '4still here');
    const polled = await get(`/engine.io/?EIO=4&transport=polling&sid=${bystander.sid}`);
    expect(polled.text).toBe('4still here');
    expect(echoes).toEqual(['still here']);
  });
});

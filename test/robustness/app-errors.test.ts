/**
 * Application code that throws never takes the server down: connection
 * handlers, event handlers, namespace and packet middlewares, ack callbacks,
 * disconnect handlers, dynamic namespace matchers and even `error` listeners
 * that throw again. Each error is surfaced as an `app.error` event in the log
 * and to the socket's `error` listeners, and the server, the thrower's own
 * connection and bystanders carry on.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Socket } from '../../src/actors/socket';
import { Bystanders } from './helpers/bystanders';
import { connectClient, connected, type ClientGeneration } from './helpers/clients';
import { checkInvariants } from './helpers/invariants';
import { STEADY_HEARTBEAT, startIostate, until, within, type Running } from './helpers/server';

let running: Running;
let bystanders: Bystanders;
const errorsSeen = new Map<string, Error[]>();
const open: any[] = [];

beforeAll(async () => {
  running = await startIostate(STEADY_HEARTBEAT);
  bystanders = await Bystanders.join(running);
  const io = running.io;
  io.on('connection', (socket: Socket) => {
    const seen: Error[] = [];
    errorsSeen.set(socket.id, seen);
    socket.on('error', (err: Error) => seen.push(err));
    socket.on('boom', () => {
      throw new Error('event handler boom');
    });
    socket.on('still-there', (ack: (v: string) => void) => ack('yes'));
    socket.on('ask-me', () => {
      socket.emit('question', () => {
        throw new Error('ack callback boom');
      });
    });
    socket.use((packet, next) => {
      if (packet[0] === 'poisoned') throw new Error('packet middleware boom');
      next();
    });
    if (socket.handshake.query.throwOnConnect === '1') throw new Error('connection handler boom');
  });
  io.of('/guarded').use(() => {
    throw new Error('namespace middleware boom');
  });
  io.of('/leaving').on('connection', (socket: Socket) => {
    socket.join('room');
    socket.on('disconnect', () => {
      throw new Error('disconnect handler boom');
    });
  });
  io.of('/angry').on('connection', (socket: Socket) => {
    socket.on('error', () => {
      throw new Error('error listener boom');
    });
    socket.on('boom', () => {
      throw new Error('event handler boom');
    });
    socket.on('still-there', (ack: (v: string) => void) => ack('yes'));
  });
  io.of((name: string) => {
    if (name === '/matcher-throws') throw new Error('namespace matcher boom');
    return false;
  });
});

afterAll(async () => {
  bystanders?.leave();
  await running?.stop();
});

beforeEach(() => {
  // iostate prints errors nobody listened to; keep the test output clean.
  vi.spyOn(console, 'error').mockImplementation(() => {});
});

afterEach(async () => {
  vi.restoreAllMocks();
  while (open.length > 0) open.pop().close();
});

function appErrors(message: string) {
  return running.io.log.events().filter((e) => e.type === 'app.error' && e.message.includes(message));
}

async function client(generation: ClientGeneration, nsp = '/', query?: Record<string, string>): Promise<any> {
  const c = connectClient(generation, running.url, 'websocket', nsp, query ? { query } : {});
  open.push(c);
  await connected(c);
  return c;
}

const stillThere = (c: any) => within(new Promise((resolve) => c.emit('still-there', resolve)), 2000, 'the thrower still answered');

describe.each(['v2', 'v4'] as ClientGeneration[])('throwing application code with %s clients', (generation) => {
  it('a connection handler', async () => {
    const before = appErrors('connection handler boom').length;
    const c = await bystanders.around(() => client(generation, '/', { throwOnConnect: '1' }));
    await until(() => appErrors('connection handler boom').length > before, 'the app.error');
    expect(appErrors('connection handler boom').at(-1)).toMatchObject({ socketId: c.id, nsp: '/' });
    expect(errorsSeen.get(c.id)!.map((e) => e.message)).toContain('connection handler boom');
    expect(await stillThere(c)).toBe('yes');
  });

  it('an event handler', async () => {
    const c = await client(generation);
    await bystanders.around(async () => {
      c.emit('boom');
      await until(() => errorsSeen.get(c.id)!.some((e) => e.message === 'event handler boom'), 'the error listener');
    });
    expect(appErrors('event handler boom').some((e) => e.type === 'app.error' && e.socketId === c.id)).toBe(true);
    expect(await stillThere(c)).toBe('yes');
  });

  it('a packet middleware', async () => {
    const c = await client(generation);
    await bystanders.around(async () => {
      c.emit('poisoned');
      await until(() => errorsSeen.get(c.id)!.some((e) => e.message === 'packet middleware boom'), 'the error listener');
    });
    expect(appErrors('packet middleware boom').some((e) => e.type === 'app.error' && e.socketId === c.id)).toBe(true);
    expect(await stillThere(c)).toBe('yes');
  });

  it('an ack callback', async () => {
    const c = await client(generation);
    c.on('question', (answer: () => void) => answer());
    await bystanders.around(async () => {
      c.emit('ask-me');
      await until(() => errorsSeen.get(c.id)!.some((e) => e.message === 'ack callback boom'), 'the error listener');
    });
    expect(appErrors('ack callback boom').length).toBeGreaterThan(0);
    expect(await stillThere(c)).toBe('yes');
  });

  it('an error listener that throws too', async () => {
    const c = await client(generation, '/angry');
    const before = appErrors('event handler boom').length;
    await bystanders.around(async () => {
      c.emit('boom');
      await until(() => appErrors('event handler boom').length > before, 'the app.error');
    });
    expect(await stillThere(c)).toBe('yes');
  });

  it('a disconnect handler: the socket still leaves its rooms', async () => {
    const c = await client(generation, '/leaving');
    const id: string = c.id;
    await until(() => running.io.log.projections.rooms.membersOf('/leaving', 'room')?.has(id) === true, 'the join');
    const before = appErrors('disconnect handler boom').length;
    await bystanders.around(async () => {
      c.close();
      await until(() => appErrors('disconnect handler boom').length > before, 'the app.error');
    });
    expect(running.io.log.projections.rooms.roomsOf('/leaving', id)).toBeUndefined();
    checkInvariants(running.io);
  });
});

describe('refusals caused by throwing code (4.x clients see them)', () => {
  it('a namespace middleware refuses the socket', async () => {
    const c = connectClient('v4', running.url, 'websocket', '/guarded');
    open.push(c);
    // Listening from the start: the refusal may come while the bystanders are checked before the attack.
    const refused = new Promise<Error>((resolve) => c.once('connect_error', resolve));
    const refusal = await bystanders.around(() => within(refused, 2000, 'the refusal'));
    expect(refusal.message).toBe('namespace middleware boom');
    expect(appErrors('namespace middleware boom').length).toBeGreaterThan(0);
  });

  it('a dynamic namespace matcher refuses the namespace', async () => {
    const c = connectClient('v4', running.url, 'websocket', '/matcher-throws');
    open.push(c);
    const refused = new Promise((resolve) => c.once('connect_error', resolve));
    await bystanders.around(() => within(refused, 2000, 'the refusal'));
    expect(appErrors('namespace matcher boom').length).toBeGreaterThan(0);
    expect(Object.keys(running.io.nsps)).not.toContain('/matcher-throws');
  });
});

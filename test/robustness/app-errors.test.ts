/**
 * Application code that fails never takes the server down: connection
 * handlers, event handlers, namespace and packet middlewares, ack callbacks,
 * disconnect handlers, dynamic namespace matchers and even `error` listeners
 * that fail again. Each kind fails both ways: a synchronous throw, and the
 * rejected promise of an `async` function (which, unhandled, ends a Node
 * process by default). Each error is surfaced as an `app.error` event in the
 * log and to the socket's `error` listeners, and the server, the failing
 * code's own connection and bystanders carry on.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Socket } from '../../src/actors/socket';
import { Bystanders } from './helpers/bystanders';
import { connectClient, connected, type ClientGeneration } from './helpers/clients';
import { checkInvariants } from './helpers/invariants';
import { STEADY_HEARTBEAT, startIostate, until, within, type Running } from './helpers/server';

type Mode = 'sync' | 'async';
const MODES: Mode[] = ['sync', 'async'];

/** Fails the way `mode` code fails: a synchronous throw, or the later rejection of an async function. */
const fail: Record<Mode, (message: string) => unknown> = {
  sync: (message) => {
    throw new Error(message);
  },
  async: async (message) => {
    await Promise.resolve();
    throw new Error(message);
  },
};

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
    socket.on('still-there', (ack: (v: string) => void) => ack('yes'));
    for (const mode of MODES) {
      socket.on(`boom-${mode}`, () => fail[mode](`${mode} event handler boom`));
      socket.on(`ask-me-${mode}`, () => {
        socket.emit('question', () => fail[mode](`${mode} ack callback boom`));
      });
    }
    socket.use((packet, next) => {
      const mode = /^poisoned-(sync|async)$/.exec(String(packet[0]))?.[1] as Mode | undefined;
      if (mode) return fail[mode](`${mode} packet middleware boom`);
      next();
    });
    const mode = socket.handshake.query.failOnConnect as Mode | undefined;
    if (mode) return fail[mode](`${mode} connection handler boom`);
  });
  for (const mode of MODES) {
    io.of(`/guarded-${mode}`).use(() => fail[mode](`${mode} namespace middleware boom`));
    io.of(`/leaving-${mode}`).on('connection', (socket: Socket) => {
      socket.join('room');
      socket.on('disconnect', () => fail[mode](`${mode} disconnect handler boom`));
    });
    io.of(`/angry-${mode}`).on('connection', (socket: Socket) => {
      socket.on('error', () => fail[mode](`${mode} error listener boom`));
      socket.on('boom', () => fail[mode](`${mode} event handler boom`));
      socket.on('still-there', (ack: (v: string) => void) => ack('yes'));
    });
  }
  io.of('/passes-then-rejects').use(async (_socket, next) => {
    next();
    await fail.async('rejected after next');
  });
  io.of('/rejects-with-nothing').use(() => Promise.reject(undefined));
  io.of((name: string) => {
    const mode = /^\/matcher-(sync|async)$/.exec(name)?.[1] as Mode | undefined;
    return mode ? fail[mode](`${mode} namespace matcher boom`) : false;
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

/** Asks `c` to make its server-side code fail with `event`; resolves once the socket's error listener got `message`. */
async function provoke(c: any, event: string, message: string): Promise<void> {
  await bystanders.around(async () => {
    c.emit(event);
    await until(() => errorsSeen.get(c.id)!.some((e) => e.message === message), 'the error listener');
  });
  expect(appErrors(message).some((e) => e.type === 'app.error' && e.socketId === c.id)).toBe(true);
  expect(await stillThere(c)).toBe('yes');
}

describe.each(MODES.flatMap((mode) => (['v2', 'v4'] as ClientGeneration[]).map((generation) => [mode, generation] as const)))(
  '%s failing application code with %s clients',
  (mode, generation) => {
    it('a connection handler', async () => {
      const message = `${mode} connection handler boom`;
      const before = appErrors(message).length;
      const c = await bystanders.around(() => client(generation, '/', { failOnConnect: mode }));
      await until(() => appErrors(message).length > before, 'the app.error');
      expect(appErrors(message).at(-1)).toMatchObject({ socketId: c.id, nsp: '/' });
      expect(errorsSeen.get(c.id)!.map((e) => e.message)).toContain(message);
      expect(await stillThere(c)).toBe('yes');
    });

    it('an event handler', async () => {
      await provoke(await client(generation), `boom-${mode}`, `${mode} event handler boom`);
    });

    it('a packet middleware', async () => {
      await provoke(await client(generation), `poisoned-${mode}`, `${mode} packet middleware boom`);
    });

    it('an ack callback', async () => {
      const c = await client(generation);
      c.on('question', (answer: () => void) => answer());
      await provoke(c, `ask-me-${mode}`, `${mode} ack callback boom`);
    });

    it('an error listener that fails too is logged, never fed back to itself', async () => {
      const c = await client(generation, `/angry-${mode}`);
      const before = appErrors(`${mode} error listener boom`).length;
      await bystanders.around(async () => {
        c.emit('boom');
        await until(() => appErrors(`${mode} error listener boom`).length > before, 'the app.error of the error listener');
      });
      expect(await stillThere(c)).toBe('yes');
      expect(appErrors(`${mode} error listener boom`).length).toBe(before + 1);
    });

    it('a disconnect handler: the socket still leaves its rooms', async () => {
      const nsp = `/leaving-${mode}`;
      const c = await client(generation, nsp);
      const id: string = c.id;
      await until(() => running.io.log.projections.rooms.membersOf(nsp, 'room')?.has(id) === true, 'the join');
      const before = appErrors(`${mode} disconnect handler boom`).length;
      await bystanders.around(async () => {
        c.close();
        await until(() => appErrors(`${mode} disconnect handler boom`).length > before, 'the app.error');
      });
      expect(running.io.log.projections.rooms.roomsOf(nsp, id)).toBeUndefined();
      checkInvariants(running.io);
    });
  },
);

describe.each(MODES)('refusals caused by %s failing code (4.x clients see them)', (mode) => {
  const refusal = (nsp: string) => {
    const c = connectClient('v4', running.url, 'websocket', nsp);
    open.push(c);
    // Well under connectTimeout: the refusal is immediate, not the timeout of a middleware that never answered.
    return within(new Promise<Error>((resolve) => c.once('connect_error', resolve)), 3000, `the refusal of ${nsp}`);
  };

  it('a namespace middleware refuses the socket', async () => {
    const error = await bystanders.around(() => refusal(`/guarded-${mode}`));
    expect(error.message).toBe(`${mode} namespace middleware boom`);
    expect(appErrors(`${mode} namespace middleware boom`).length).toBeGreaterThan(0);
  });

  it('a dynamic namespace matcher refuses the namespace', async () => {
    await bystanders.around(() => refusal(`/matcher-${mode}`));
    expect(appErrors(`${mode} namespace matcher boom`).length).toBeGreaterThan(0);
    expect(Object.keys(running.io.nsps)).not.toContain(`/matcher-${mode}`);
  });

  if (mode === 'async') {
    it('a middleware that rejects with nothing still refuses', async () => {
      expect((await refusal('/rejects-with-nothing')).message).toBe('undefined');
    });

    it('a middleware that called next() and rejected later: connected, and the rejection reported', async () => {
      const c = await bystanders.around(() => client('v4', '/passes-then-rejects'));
      await until(() => appErrors('rejected after next').length > 0, 'the app.error');
      expect(c.connected).toBe(true);
    });
  }
});

it('a plain Node process (where an unhandled rejection is fatal) keeps serving after an async handler rejects', async () => {
  const child = fork(new URL('./fixtures/async-rejecting-server.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  try {
    const [port] = (await once(child, 'message')) as [number];
    const url = `http://127.0.0.1:${port}`;
    const failing = connectClient('v4', url);
    const bystander = connectClient('v2', url, 'polling');
    open.push(failing, bystander);
    await Promise.all([connected(failing), connected(bystander)]);
    failing.emit('boom');
    // The rejection is reported on the server's stderr; the process is still there to answer both clients.
    await until(() => stderr.includes('async boom in a plain process'), 'the report on stderr', 10_000);
    for (const c of [failing, bystander]) {
      expect(await within(new Promise((resolve) => c.emit('still-there', resolve)), 5000, 'an answer')).toBe('yes');
    }
    expect(child.exitCode).toBeNull();
  } finally {
    child.kill();
  }
}, 30_000);

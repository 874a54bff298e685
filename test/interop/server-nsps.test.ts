// `io.nsps`: socket.io 2.x's plain object of namespaces by name, compared
// with the reference, and safe for the names a hostile client can pick.
import { expect } from 'vitest';
import { itMatchesReference } from './harness/match-reference';

itMatchesReference(
  'io.nsps is a plain object keyed by namespace name, dynamic children included',
  async (side, kind) => {
    const fixture = await side.start();
    const io = fixture.io as any;
    const chat = io.of('chat');
    io.of(/^\/dyn-\d+$/);
    await fixture.pair(kind, '/dyn-1');
    return {
      keys: Object.keys(io.nsps).sort(),
      plainObject: Object.getPrototypeOf(io.nsps) === Object.prototype,
      sameObjects: io.nsps['/'] === io.sockets && io.nsps['/chat'] === chat,
      // What 2.x apps write: io.nsps inherits Object.prototype's methods.
      // eslint-disable-next-line no-prototype-builtins
      hasOwnProperty: io.nsps.hasOwnProperty('/dyn-1') && !Object.hasOwn(io.nsps, '/dyn-2'),
      forIn: (() => {
        const names: string[] = [];
        for (const name in io.nsps) names.push(name);
        return names.sort();
      })(),
    };
  },
  {
    reference: (observed) => expect(observed.keys).toEqual(['/', '/chat', '/dyn-1']),
  },
);

itMatchesReference(
  'namespaces named __proto__ and constructor are own entries of io.nsps, for the app and for clients',
  async (side, kind) => {
    const fixture = await side.start();
    const io = fixture.io as any;
    const proto = io.of('__proto__');
    const ctor = io.of('/constructor');
    const clients = await Promise.all(['/__proto__', '/constructor', '/toString', '/hasOwnProperty'].map((nsp) => fixture.client(kind, nsp).settled()));
    return {
      keys: Object.keys(io.nsps).sort(),
      found: io.nsps['/__proto__'] === proto && io.nsps['/constructor'] === ctor && io.of('/__proto__') === proto,
      prototypeIntact: Object.getPrototypeOf(io.nsps) === Object.prototype && typeof io.nsps.toString === 'function',
      outcomes: clients.map((outcome) => outcome.type),
    };
  },
  {
    reference: (observed) => expect(observed.outcomes).toEqual(['connected', 'connected', 'refused', 'refused']),
  },
);

itMatchesReference(
  'a dynamic parent accepting any name creates /__proto__ and /constructor as own entries',
  async (side, kind) => {
    const fixture = await side.start();
    const io = fixture.io as any;
    io.of((_name: string, _query: unknown, next: (err: Error | null, ok: boolean) => void) => next(null, true));
    const outcomes = [];
    for (const nsp of ['/__proto__', '/constructor']) outcomes.push((await fixture.client(kind, nsp).settled()).type);
    return {
      outcomes,
      keys: Object.keys(io.nsps).sort(),
      prototypeIntact: Object.getPrototypeOf(io.nsps) === Object.prototype,
      kinds: ['/__proto__', '/constructor'].map((name) => typeof io.nsps[name]?.emit),
    };
  },
  {
    reference: (observed) => expect(observed.keys).toEqual(['/', '/__proto__', '/constructor']),
  },
);

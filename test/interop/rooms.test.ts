// Rooms: join, leave, socket.rooms, namespace.clients, adapter membership.
import { expect, it } from 'vitest';
import { clientsOf, forEachClient, join, leave, nextEvent, startServer, withTimeout } from './harness';

forEachClient((kind) => {
  it('socket.rooms is an object keyed by room, holding its own id from the start', async () => {
    const fixture = await startServer();
    const { socket } = await fixture.pair(kind);
    expect(Object.keys(socket.rooms)).toEqual([socket.id]);
  });

  it('join(room, cb): the callback gets no error and the room is in socket.rooms', async () => {
    const fixture = await startServer();
    const { socket } = await fixture.pair(kind);
    const returned = socket.join('room 237', () => undefined);
    expect(returned).toBe(socket);
    expect(await join(socket, 'room 238')).toBeFalsy();
    expect(Object.keys(socket.rooms).sort()).toEqual([socket.id, 'room 237', 'room 238'].sort());
  });

  it('join(rooms[], cb) joins every room', async () => {
    const fixture = await startServer();
    const { socket } = await fixture.pair(kind);
    expect(await join(socket, ['a', 'b', 'c'])).toBeFalsy();
    expect(Object.keys(socket.rooms).sort()).toEqual([socket.id, 'a', 'b', 'c'].sort());
  });

  it('leave(room, cb) removes only that room', async () => {
    const fixture = await startServer();
    const { socket } = await fixture.pair(kind);
    await join(socket, ['a', 'b']);
    expect(socket.leave('a', () => undefined)).toBe(socket);
    expect(await leave(socket, 'b')).toBeFalsy();
    expect(Object.keys(socket.rooms)).toEqual([socket.id]);
  });

  it('leave(room, cb) of a room never joined calls back without error', async () => {
    const fixture = await startServer();
    const { socket } = await fixture.pair(kind);
    expect(await leave(socket, 'never joined')).toBeFalsy();
    expect(Object.keys(socket.rooms)).toEqual([socket.id]);
  });

  it('namespace.clients(cb) lists the ids connected to the namespace; after in/to, those in the rooms', async () => {
    const fixture = await startServer();
    const first = await fixture.pair(kind);
    const second = await fixture.pair(kind);
    const third = await fixture.pair(kind);
    await join(first.socket, 'general');
    await join(second.socket, ['general', 'other']);
    await join(third.socket, 'other');
    expect(await clientsOf(fixture.io.of('/'))).toEqual([first.socket.id, second.socket.id, third.socket.id].sort());
    expect(await clientsOf(fixture.io.of('/').in('general'))).toEqual([first.socket.id, second.socket.id].sort());
    expect(await clientsOf(fixture.io.of('/').to('general').to('other'))).toEqual([first.socket.id, second.socket.id, third.socket.id].sort());
  });

  it('io.clients(cb) defaults to the main namespace', async () => {
    const fixture = await startServer();
    const { socket } = await fixture.pair(kind);
    const inOther = await fixture.pair(kind, '/other');
    const expected = kind.autoJoinsRoot ? [socket.id, inOther.client.engineId].sort() : [socket.id];
    expect(await clientsOf(fixture.io)).toEqual(expected);
    expect(await clientsOf(fixture.io.of('/other'))).toEqual([inOther.socket.id]);
  });

  it('rooms are left automatically upon disconnection', async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind);
    const stays = await fixture.pair(kind);
    await join(socket, 'r');
    await join(stays.socket, 'r');
    const gone = nextEvent(socket, 'disconnect');
    client.disconnect();
    await gone;
    expect(await clientsOf(fixture.io.in('r'))).toEqual([stays.socket.id]);
    expect(await clientsOf(fixture.io.in(socket.id))).toEqual([]);
  });

  it('the adapter keeps the socket.io-adapter shape: rooms[room].sockets and .length, sids[id][room]', async () => {
    const fixture = await startServer();
    const first = await fixture.pair(kind);
    const second = await fixture.pair(kind);
    await join(first.socket, 'r');
    await join(second.socket, 'r');
    const adapter = fixture.io.of('/').adapter as any;
    expect(adapter).toBe(fixture.io.sockets.adapter);
    expect(adapter.rooms.r.length).toBe(2);
    expect(adapter.rooms.r.sockets).toEqual({ [first.socket.id]: true, [second.socket.id]: true });
    expect(adapter.rooms[first.socket.id].sockets).toEqual({ [first.socket.id]: true });
    expect(adapter.sids[first.socket.id]).toEqual({ [first.socket.id]: true, r: true });
  });

  it('adapter add/del/delAll/clients work with callbacks, as adapters written for socket.io 2 expect', async () => {
    const fixture = await startServer();
    const { socket } = await fixture.pair(kind);
    const adapter = fixture.io.of('/').adapter as any;
    const call = (method: string, ...args: unknown[]) =>
      withTimeout(new Promise((resolve) => adapter[method](...args, resolve)), 2000, `${method} did not call back`);
    expect(await call('add', socket.id, 'x')).toBeFalsy();
    expect(await clientsOf({ clients: (cb) => adapter.clients(['x'], cb) })).toEqual([socket.id]);
    expect(await call('del', socket.id, 'x')).toBeFalsy();
    expect(await clientsOf({ clients: (cb) => adapter.clients(['x'], cb) })).toEqual([]);
    await call('add', socket.id, 'y');
    expect(await call('delAll', socket.id)).toBeFalsy();
    expect(adapter.rooms.y).toBeUndefined();
    expect(adapter.sids[socket.id]).toBeUndefined();
  });
});

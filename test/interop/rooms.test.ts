// Rooms: join, leave, socket.rooms, namespace.clients, adapter membership.
import { expect, it } from 'vitest';
import { clientsOf, forEachClient, join, leave, nextEvent, startServer } from './harness';

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

  it('the adapter holds the membership: namespace.adapter is the one of io.of(name)', async () => {
    const fixture = await startServer();
    const { socket } = await fixture.pair(kind);
    await join(socket, 'r');
    const adapter = fixture.io.of('/').adapter;
    expect(adapter).toBe(fixture.io.sockets.adapter);
    const rooms = adapter.rooms;
    const members = rooms instanceof Map ? [...(rooms.get('r') ?? [])] : Object.keys(rooms.r.sockets);
    expect(members).toEqual([socket.id]);
  });
});

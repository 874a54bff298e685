// The real @socket.io/admin-ui server side (`instrument(io, …)`) on iostate/v4,
// unchanged, next to socket.io 4.8: a real socket.io-client plays the
// dashboard on /admin, sees the sockets, rooms and events, and its actions
// (join, leave, disconnect) act on the real sockets.
import { describe, expect, it } from 'vitest';
import { instrument } from '@socket.io/admin-ui';
import type { Socket } from '../../src/v4';
import { connected, delay, differential, next } from './harness';

describe('@socket.io/admin-ui on iostate/v4, compared with socket.io 4.8', () => {
  it('lists sockets, rooms and events; join, leave and disconnect act on the sockets', async () => {
    const { ours, theirs } = await differential(async (side) => {
      instrument(side.io as never, { auth: false, mode: 'development' });
      const connection = next<[Socket]>(side.io, 'connection');
      const user = side.client('/', { auth: { user: 'ann' } });
      const [socket] = await connection;
      await connected(user);
      socket.join('lobby');
      const named = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null).replaceAll(socket.id, 'USER'));

      const dashboard = side.client('/admin');
      const config = next<[{ supportedFeatures: string[] }]>(dashboard, 'config');
      const allSockets = next<[Array<Record<string, any>>]>(dashboard, 'all_sockets');
      const stats = next<[Record<string, any>]>(dashboard, 'server_stats');
      await connected(dashboard);
      const listed = (await allSockets)[0].filter((entry) => entry.nsp === '/');
      const firstStats = (await stats)[0];

      const heard: unknown[] = [];
      for (const event of ['room_joined', 'room_left', 'socket_disconnected', 'event_received', 'event_sent']) {
        dashboard.on(event, (...args: unknown[]) => heard.push([event, ...args.slice(0, -1).map(named)]));
      }
      const received = next(socket, 'chat');
      user.emit('chat', 'hello admin');
      await received;
      socket.emit('reply', 'seen');
      dashboard.emit('join', '/', 'vip', socket.id);
      await delay(150);
      const roomsAfterJoin = [...socket.rooms].map((room) => (room === socket.id ? 'USER' : room)).sort();
      dashboard.emit('leave', '/', 'lobby');
      await delay(150);
      const roomsAfterLeave = [...socket.rooms].map((room) => (room === socket.id ? 'USER' : room)).sort();
      const gone = next<[string]>(socket, 'disconnect');
      dashboard.emit('_disconnect', '/', false, 'vip');
      const [reason] = await gone;
      await delay(150);
      return {
        features: (await config)[0].supportedFeatures.sort(),
        // The engine ids differ between runs: kept as their length.
        listed: listed.map((entry) => ({
          ...(named(entry) as object),
          clientId: String(entry.clientId).length,
          handshake: { query: entry.handshake.query.EIO },
        })),
        namespaces: firstStats.namespaces,
        statsKeys: Object.keys(firstStats).sort(),
        clientsCount: firstStats.clientsCount,
        roomsAfterJoin,
        roomsAfterLeave,
        reason,
        heard,
      };
    });
    expect(ours).toEqual(theirs);
    expect(ours.listed).toEqual([expect.objectContaining({ id: 'USER', nsp: '/', rooms: ['USER', 'lobby'], transport: 'websocket' })]);
    expect(ours.roomsAfterJoin).toEqual(['USER', 'lobby', 'vip']);
    expect(ours.roomsAfterLeave).toEqual(['USER', 'vip']);
    expect(ours.reason).toBe('server namespace disconnect');
    expect(ours.heard).toContainEqual(['event_received', '/', 'USER', ['chat', 'hello admin']]);
    expect(ours.heard).toContainEqual(['socket_disconnected', '/', 'USER', 'server namespace disconnect']);
  });
});

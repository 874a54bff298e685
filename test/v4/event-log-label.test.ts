/**
 * `eventLog.label(handshake, socket)` on iostate/v4 gets the socket the
 * application holds, this face's: the one its middlewares and connection
 * listeners get, with what they set on it (`socket.data`, a property of
 * their own), not the core socket beneath it.
 */
import { describe, expect, it } from 'vitest';
import { Socket } from '../../src/v4';
import type { LogEventOf } from '../../src/log/events';
import { startSide } from './harness';

describe('eventLog.label on the v4 face', () => {
  it("gets this face's socket, with what a middleware set on it", async () => {
    const labelled: unknown[] = [];
    const side = await startSide('iostate/v4', {
      eventLog: {
        label: (_handshake: unknown, socket: Socket & { team?: string }) => {
          labelled.push(socket);
          return `${socket.data.user}/${socket.team}`;
        },
      },
    });
    side.io.use((socket, next) => {
      socket.data.user = socket.handshake.auth.user;
      (socket as Socket & { team?: string }).team = 'blue';
      next();
    });
    const connected = new Promise<Socket>((resolve) => side.io.on('connection', resolve));
    side.client('/', { auth: { user: 'alice' } });
    const socket = await connected;

    expect(labelled).toHaveLength(1);
    expect(labelled[0]).toBe(socket);
    expect(labelled[0]).toBeInstanceOf(Socket);
    const connect = side.io.log.events().find((event): event is LogEventOf<'socket.connect'> => event.type === 'socket.connect');
    expect(connect?.label).toBe('alice/blue');
  });
});

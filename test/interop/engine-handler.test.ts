// The Client reads its Engine.IO session through a typed handler
// (EngineSocketHandler), not through the session's events: those stay for
// the application (engine.io's API), which may listen or stop listening to
// them without cutting Socket.IO off. socket.io 2.5.1 listens with events,
// so there removing them would detach the Client: beyond the reference.
import { expect } from 'vitest';
import { forEachClient, itBeyondReference, startServer } from './harness';

forEachClient((kind) => {
  itBeyondReference("the app may remove the session's message and close listeners: events still arrive, the end of the session still disconnects", async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind);
    const seen: string[] = [];
    socket.conn.on('message', () => seen.push('message event'));
    socket.on('ping me', (n: number) => seen.push(`handler ${n}`));
    socket.conn.removeAllListeners('message');
    socket.conn.removeAllListeners('close');
    const answered = new Promise<void>((resolve) => socket.on('last', () => resolve()));
    client.emit('ping me', 1);
    client.emit('last');
    await answered;
    expect(seen).toEqual(['handler 1']);
    const disconnected = new Promise<string>((resolve) => socket.on('disconnect', resolve));
    client.raw.io.engine.close(); // the session ends, no namespace DISCONNECT first
    expect(await disconnected).toBe('transport close');
  });
});

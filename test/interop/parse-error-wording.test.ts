// A packet the server cannot decode: the app's sockets get an 'error' worded
// as socket.io 2.5.1 words it (its parser's messages), and the connection
// is closed, compared with the reference over a raw WebSocket.
import { expect } from 'vitest';
import { nextEvent, type ClientKind, type SocketLike } from './harness';
import { itMatchesReference, type Side } from './harness/match-reference';
import { RawSession, type Protocol } from '../robustness/helpers/raw';

type Step = string | Buffer;

async function sendBadInput(side: Side, kind: ClientKind, steps: Step[]) {
  const fixture = await side.start();
  const protocol: Protocol = kind.generation === 2 ? 3 : 4;
  const connected = nextEvent(fixture.io.sockets, 'connection');
  const session = await RawSession.open(fixture.port, protocol, 'websocket');
  try {
    const [socket] = (await connected) as [SocketLike];
    const errors: string[] = [];
    socket.on('error', (err: Error) => errors.push(err.message));
    const disconnected = nextEvent(socket, 'disconnect');
    for (const step of steps) await (typeof step === 'string' ? session.message(step) : session.binary(step));
    const [reason] = await disconnected;
    return { errors, reason };
  } finally {
    session.close();
  }
}

const cases: Array<[string, Step[], string]> = [
  ['an attachment count that is not a number', ['5x-["a"]'], 'Illegal attachments'],
  ['a binary event announcing no attachment', ['50-["a"]'], 'Illegal attachments'],
  ['more attachments than allowed', ['511-["a"]'], 'too many attachments'],
  ['a payload that is not JSON', ['2["a"'], 'invalid payload'],
  ['an event that is not an array', ['2{"a":1}'], 'invalid payload'],
  ['text where an attachment was awaited', ['51-["a",{"_placeholder":true,"num":0}]', '2["b"]'], 'got plaintext data when reconstructing a packet'],
  ['an attachment nobody awaited', [Buffer.from([1])], 'got binary data when not reconstructing a packet'],
  ['a placeholder beyond the attachments', ['51-["a",{"_placeholder":true,"num":3}]', Buffer.from([1])], 'illegal attachments'],
];

for (const [what, steps, message] of cases) {
  itMatchesReference(`${what}: the error says "${message}" and the connection closes`, (side, kind) => sendBadInput(side, kind, steps), {
    reference: (observed) => expect(observed.errors).toEqual([message]),
  });
}

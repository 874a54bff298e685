/**
 * socket.io-client 2.x and 4.x, created the same way: a fresh Manager each
 * time, no reconnection (a client that is cut off stays off, so every
 * session the server sees is one client's), the transport chosen up front.
 */
import ioV2 from 'socket.io-client-v2';
import { io as ioV4 } from 'socket.io-client';

export type ClientGeneration = 'v2' | 'v4';

const CONNECT_WAIT_MS = 10_000;
/** `upgrade`: polling first, then the usual upgrade to WebSocket. */
export type TransportChoice = 'polling' | 'websocket' | 'upgrade';

export function connectClient(
  generation: ClientGeneration,
  url: string,
  transport: TransportChoice = 'websocket',
  nsp = '/',
  extra: Record<string, unknown> = {},
): any {
  const options = {
    ...extra,
    forceNew: true,
    reconnection: false,
    transports: transport === 'websocket' ? ['websocket'] : ['polling', 'websocket'],
    upgrade: transport === 'upgrade',
    // Generous: on a loaded CI machine a handshake can take seconds; a stuck one still fails.
    timeout: CONNECT_WAIT_MS,
  };
  return generation === 'v2' ? ioV2(`${url}${nsp}`, options) : ioV4(`${url}${nsp}`, options);
}

/** Resolves on `connect`, rejects on a connect error or after `ms`. */
export function connected(client: any, ms = CONNECT_WAIT_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    if (client.connected) return resolve();
    const timer = setTimeout(() => reject(new Error('client did not connect')), ms);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    for (const event of ['connect_error', 'error']) {
      client.once(event, (err: unknown) => {
        clearTimeout(timer);
        // Transport errors carry the HTTP status or the socket error as `description`.
        const detail = (err as { description?: unknown })?.description;
        const described = detail instanceof Error ? detail.message : detail;
        reject(new Error(`client connect failed: ${String((err as Error)?.message ?? err)}${described === undefined ? '' : ` (${String(described)})`}`));
      });
    }
  });
}

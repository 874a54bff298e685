/**
 * Engine.IO's HTTP error vocabulary: the codes and messages clients and
 * tools know (engine.io `Server.errors`), written as a 400 JSON body on
 * polling requests and as a plain HTTP response on refused WebSocket upgrades.
 */
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export const EngineErrorCode = {
  UNKNOWN_TRANSPORT: 0,
  UNKNOWN_SID: 1,
  BAD_HANDSHAKE_METHOD: 2,
  BAD_REQUEST: 3,
  FORBIDDEN: 4,
  UNSUPPORTED_PROTOCOL_VERSION: 5,
} as const;

export type EngineErrorCode = (typeof EngineErrorCode)[keyof typeof EngineErrorCode];

export const engineErrorMessages: Record<EngineErrorCode, string> = {
  0: 'Transport unknown',
  1: 'Session ID unknown',
  2: 'Bad handshake method',
  3: 'Bad request',
  4: 'Forbidden',
  5: 'Unsupported protocol version',
};

/** A refused request: the code, and for Forbidden the application's own message if it gave one. */
export interface EngineRefusal {
  code: EngineErrorCode;
  message: string;
  /** Extra facts for the `connection_error` event (e.g. the bad sid or protocol). */
  context?: Record<string, unknown>;
}

export function refusal(code: EngineErrorCode, context?: Record<string, unknown>, message?: string): EngineRefusal {
  return { code, message: message ?? engineErrorMessages[code], ...(context && { context }) };
}

/** Forbidden answers 403 (as engine.io does for allowRequest refusals), every other code 400. */
export function statusOf(code: EngineErrorCode): number {
  return code === EngineErrorCode.FORBIDDEN ? 403 : 400;
}

export function writeHttpError(res: ServerResponse, error: EngineRefusal, headers: Record<string, string | string[]>): void {
  if (res.headersSent || res.writableEnded) return;
  const body = JSON.stringify({ code: error.code, message: error.message });
  res.writeHead(statusOf(error.code), { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** Refuses a WebSocket upgrade before any WebSocket handshake happened, then drops the socket. */
export function writeUpgradeError(socket: Duplex, error: EngineRefusal): void {
  socket.on('error', () => {});
  if (socket.writable) {
    const status = statusOf(error.code);
    const body = JSON.stringify({ code: error.code, message: error.message });
    socket.write(
      `HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Bad Request'}\r\n` +
        'Connection: close\r\n' +
        'Content-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * Puts a handler in front of an http.Server's `request` listeners. The
 * handler answers the requests that are its own and returns true; every
 * other request goes to the listeners the server had before, in their order,
 * with the server as `this`. Engine.IO, the client bundle and the inspector
 * each take their place this way, so each one attached wraps those before it.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';

/** Answers a request and returns true, or returns false to pass it on. */
export type RequestAnswerer = (req: IncomingMessage, res: ServerResponse) => boolean;

export function answerFirst(server: HttpServer, answer: RequestAnswerer): void {
  const previous = server.listeners('request').slice() as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (answer(req, res)) return;
    for (const listener of previous) listener.call(server, req, res);
  });
}

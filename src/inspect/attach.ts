/**
 * Puts the inspector in front of an http.Server: its requests are answered
 * first, every other request goes to the listeners the server already had
 * (the application's, Engine.IO's), in their order. What `Server.attach`
 * calls for the `inspector` option.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createInspectorHandler, type InspectorHandler, type InspectorOptions } from './http-endpoint';
import type { InspectableServer } from './snapshot';

export function attachInspector(io: InspectableServer, srv: HttpServer, options: InspectorOptions): InspectorHandler {
  const inspector = createInspectorHandler(io, options);
  const listeners = srv.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  srv.removeAllListeners('request');
  srv.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (inspector(req, res)) return;
    for (const listener of listeners) listener.call(srv, req, res);
  });
  srv.once('close', () => inspector.close());
  return inspector;
}

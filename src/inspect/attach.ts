/**
 * Puts the inspector in front of an http.Server: its requests are answered
 * first, every other request goes to the listeners the server already had
 * (the application's, Engine.IO's), in their order. What `Server.attach`
 * calls for the `inspector` option.
 */
import type { Server as HttpServer } from 'node:http';
import { answerFirst } from '../http/answer-first';
import { createInspectorHandler, type InspectorHandler, type InspectorOptions } from './http-endpoint';
import type { InspectableServer } from './snapshot';

export function attachInspector(io: InspectableServer, srv: HttpServer, options: InspectorOptions): InspectorHandler {
  const inspector = createInspectorHandler(io, options);
  answerFirst(srv, inspector);
  srv.once('close', () => inspector.close());
  return inspector;
}

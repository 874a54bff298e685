/**
 * The package entry. `require('iostate')` is a factory that works with and
 * without `new`, as `require('socket.io')` does, and carries the classes as
 * properties; `import { Server } from 'iostate'` reaches the same classes,
 * and `import type { Socket } from 'iostate'` their types.
 */
import type http from 'node:http';
import { Server, type ServerOptions } from './actors/server';
import { Namespace } from './actors/namespace';
import { Socket } from './actors/socket';
import { Client } from './actors/client';
import { Adapter } from './adapters/memory-adapter';
import type * as server from './actors/server';
import type * as namespace from './actors/namespace';
import type * as socket from './actors/socket';
import type * as client from './actors/client';
import type * as memory from './adapters/memory-adapter';
import type * as adapter from './adapters/adapter-contract';
import type * as log from './log';
import type * as inspect from './inspect';
import { EventLog, JsonlFileSink, MemorySink, createEventLog, explainConnection, explainSocket, readLog, replay, replayJson } from './log';
import { buildSnapshot, createInspectorHandler, renderTimelineHtml } from './inspect';

type Attachable = http.Server | number | string | ServerOptions;

interface IostateFactory {
  (srv?: Attachable, opts?: ServerOptions): Server;
  new (srv?: Attachable, opts?: ServerOptions): Server;
  Server: typeof Server;
  Namespace: typeof Namespace;
  Socket: typeof Socket;
  Client: typeof Client;
  Adapter: typeof Adapter;
  EventLog: typeof EventLog;
  createEventLog: typeof createEventLog;
  MemorySink: typeof MemorySink;
  JsonlFileSink: typeof JsonlFileSink;
  readLog: typeof readLog;
  replay: typeof replay;
  replayJson: typeof replayJson;
  explainConnection: typeof explainConnection;
  explainSocket: typeof explainSocket;
  buildSnapshot: typeof buildSnapshot;
  createInspectorHandler: typeof createInspectorHandler;
  renderTimelineHtml: typeof renderTimelineHtml;
  default: IostateFactory;
}

const iostate = function iostate(srv?: Attachable, opts?: ServerOptions): Server {
  return new Server(srv, opts);
} as IostateFactory;

iostate.Server = Server;
iostate.Namespace = Namespace;
iostate.Socket = Socket;
iostate.Client = Client;
// The log, replay and inspection toolkit, for embedding (see docs/log.md, docs/replay.md, docs/inspector.md).
Object.assign(iostate, {
  Adapter,
  EventLog,
  createEventLog,
  MemorySink,
  JsonlFileSink,
  readLog,
  replay,
  replayJson,
  explainConnection,
  explainSocket,
  buildSnapshot,
  createInspectorHandler,
  renderTimelineHtml,
});
iostate.default = iostate;

// The types of the classes and callbacks, for `import type { Socket } from 'iostate'`
// (a namespace of types only: with `export =`, this is how a CommonJS entry exports them).
// eslint-disable-next-line @typescript-eslint/no-namespace
namespace iostate {
  export type Server = server.Server;
  export type ServerOptions = server.ServerOptions;
  export type Origins = server.Origins;
  export type Namespace = namespace.Namespace;
  export type NamespaceMiddleware = namespace.NamespaceMiddleware;
  export type Socket = socket.Socket;
  export type Handshake = socket.Handshake;
  export type DisconnectReason = socket.DisconnectReason;
  export type DisconnectDetails = socket.DisconnectDetails;
  export type PacketMiddleware = socket.PacketMiddleware;
  export type Client = client.Client;
  export type Adapter = memory.Adapter;
  export type AdapterConstructor = adapter.AdapterConstructor;
  export type BroadcastFlags = adapter.BroadcastFlags;
  export type BroadcastOptions = adapter.BroadcastOptions;
  export type LogEvent = log.LogEvent;
  export type InspectSnapshot = inspect.InspectSnapshot;
}

export = iostate;

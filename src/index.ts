/**
 * The package entry. `require('iostate')` is a factory that works with and
 * without `new`, as `require('socket.io')` does, and carries the classes as
 * properties; `import { Server } from 'iostate'` reaches the same classes.
 */
import type http from 'node:http';
import { Server, type ServerOptions } from './actors/server';
import { Namespace } from './actors/namespace';
import { Socket } from './actors/socket';
import { Client } from './actors/client';

type Attachable = http.Server | number | string | ServerOptions;

interface IostateFactory {
  (srv?: Attachable, opts?: ServerOptions): Server;
  new (srv?: Attachable, opts?: ServerOptions): Server;
  Server: typeof Server;
  Namespace: typeof Namespace;
  Socket: typeof Socket;
  Client: typeof Client;
  default: IostateFactory;
}

const iostate = function iostate(srv?: Attachable, opts?: ServerOptions): Server {
  return new Server(srv, opts);
} as IostateFactory;

iostate.Server = Server;
iostate.Namespace = Namespace;
iostate.Socket = Socket;
iostate.Client = Client;
iostate.default = iostate;

export = iostate;

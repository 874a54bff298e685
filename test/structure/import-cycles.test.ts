/**
 * The layers import one way (docs/design.md, "Seams"): each folder of src/
 * imports only folders below it; so no import cycle crosses two folders
 * (actors and adapters meet through src/adapters/adapter-contract.ts, which
 * imports neither), and outside the public objects of the runtime and of
 * the v4 face (Server, Namespace, Socket, Client refer to one another in
 * their public types, as in socket.io; a dynamic parent is a Namespace the
 * Server makes) no module is part of a cycle at all: the helpers of those
 * objects type them through the few members they use.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycles, importGraph } from './import-graph';

const SRC = path.resolve(__dirname, '../../src');
const folderOf = (id: string) => id.split('/')[0];

/** Each folder's height: a module imports only modules of its own folder or of a lower one. */
const LAYER: Record<string, number> = {
  // The entries and faces: `iostate`, `iostate/redis`, the CLI, the socket.io 4 face.
  index: 7,
  redis: 7,
  cli: 7,
  v4: 7,
  actors: 6,
  adapters: 5,
  inspect: 5,
  static: 5,
  cluster: 5,
  parser: 4,
  transport: 3,
  machines: 2,
  http: 1,
  log: 0,
};

describe('import graph of src/', () => {
  const graph = importGraph(SRC);
  const found = cycles(graph);

  it('reads the imports it should (the check cannot pass by reading nothing)', () => {
    expect(graph.get('actors/namespace')).toContain('adapters/adapter-contract');
    expect(graph.get('cli/log-source')).toContain('adapters/redis/read-cluster-log'); // a dynamic import()
    expect(
      cycles(
        new Map([
          ['a', new Set(['b'])],
          ['b', new Set(['a'])],
          ['c', new Set(['a'])],
        ]),
      ),
    ).toEqual([['a', 'b']]);
  });

  it('imports only down the layers', () => {
    const unknown = [...graph.keys()].map(folderOf).filter((folder) => !(folder in LAYER));
    expect(unknown, 'a new folder of src/ needs its place in LAYER').toEqual([]);
    const upward = [...graph].flatMap(([from, to]) =>
      [...to]
        .filter((target) => folderOf(target) !== folderOf(from) && LAYER[folderOf(target)] >= LAYER[folderOf(from)])
        .map((target) => `${from} -> ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it('has no cycle across two folders', () => {
    expect(found.filter((members) => new Set(members.map(folderOf)).size > 1)).toEqual([]);
  });

  it('has cycles only among the public objects of the runtime and of the v4 face', () => {
    const groups = [
      // A socket's server, namespace and client; a server's namespaces and clients; a namespace's sockets.
      new Set(['actors/server', 'actors/namespace', 'actors/parent-namespace', 'actors/socket', 'actors/client']),
      // socket.io 4's objects refer to one another too: a socket's server and namespace, a server's namespaces…
      new Set(['v4/server', 'v4/namespace', 'v4/socket']),
      // …and an operator's fetched sockets, a remote socket's operator.
      new Set(['v4/broadcast-operator', 'v4/remote-socket']),
    ];
    const allowed = (members: string[]) => groups.some((group) => members.every((id) => group.has(id)));
    expect(found.filter((members) => !allowed(members))).toEqual([]);
  });
});

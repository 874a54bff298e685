/**
 * The layers import one way (docs/design.md, "Seams"): no import cycle
 * crosses two folders of src/ (actors and adapters meet only through
 * src/adapters/adapter-contract.ts), and outside the runtime's public
 * objects (Server, Namespace, Socket, Client refer to one another, as in
 * socket.io) no module is part of a cycle at all.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycles, importGraph } from './import-graph';

const SRC = path.resolve(__dirname, '../../src');
const folderOf = (id: string) => id.split('/')[0];

describe('import graph of src/', () => {
  const graph = importGraph(SRC);
  const found = cycles(graph);

  it('reads the imports it should (the check cannot pass by reading nothing)', () => {
    expect(graph.get('actors/namespace')).toContain('adapters/adapter-contract');
    expect(graph.get('cli/log-source')).toContain('adapters/redis/read-cluster-log'); // a dynamic import()
    expect(cycles(new Map([['a', new Set(['b'])], ['b', new Set(['a'])], ['c', new Set(['a'])]]))).toEqual([['a', 'b']]);
  });

  it('has no cycle across two folders', () => {
    expect(found.filter((members) => new Set(members.map(folderOf)).size > 1)).toEqual([]);
  });

  it('has no adapter importing the runtime', () => {
    const upward = [...graph].flatMap(([from, to]) => (folderOf(from) === 'adapters' ? [...to].filter((target) => folderOf(target) === 'actors').map((target) => `${from} -> ${target}`) : []));
    expect(upward).toEqual([]);
  });

  it('has cycles only among the runtime public objects', () => {
    expect(found.filter((members) => members.some((id) => folderOf(id) !== 'actors'))).toEqual([]);
  });
});

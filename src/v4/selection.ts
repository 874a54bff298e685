/**
 * The sockets of this node that a `{ rooms, except }` selection picks, as
 * the v4 face's Socket objects, read from the core's rooms projection (a
 * dynamic parent namespace selects in each of its children).
 */
import type { Namespace as CoreNamespace } from '../actors/namespace';
import { ParentNamespace } from '../actors/parent-namespace';
import { recipientsIn } from '../adapters/memory-adapter';
import type { Socket } from './socket';

export interface Selection {
  rooms: string[];
  except: string[];
}

export function selectSockets(nsp: CoreNamespace, selection: Selection): Socket[] {
  const namespaces = nsp instanceof ParentNamespace ? [...nsp.children] : [nsp];
  const sockets: Socket[] = [];
  for (const each of namespaces) {
    for (const id of recipientsIn(each, selection)) {
      const face = Object.hasOwn(each.connected, id) ? (each.connected[id].face as Socket | undefined) : undefined;
      if (face) sockets.push(face);
    }
  }
  return sockets;
}

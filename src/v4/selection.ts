/**
 * The sockets of this node that a `{ rooms, except }` selection picks, read
 * from the core's rooms projection (a dynamic parent namespace selects in
 * each of its children): the core sockets, whose faces the caller hands out.
 */
import type { Namespace as CoreNamespace } from '../actors/namespace';
import { ParentNamespace } from '../actors/parent-namespace';
import type { Socket as CoreSocket } from '../actors/socket';
import { recipientsIn } from '../adapters/memory-adapter';

export interface Selection {
  rooms: string[];
  except: string[];
}

export function selectSockets(nsp: CoreNamespace, selection: Selection): CoreSocket[] {
  const namespaces = nsp instanceof ParentNamespace ? [...nsp.children] : [nsp];
  const sockets: CoreSocket[] = [];
  for (const each of namespaces) {
    for (const id of recipientsIn(each, selection)) {
      if (Object.hasOwn(each.connected, id)) sockets.push(each.connected[id]);
    }
  }
  return sockets;
}

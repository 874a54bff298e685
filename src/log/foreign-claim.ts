/**
 * Only a session's own node speaks for it. An event in which one node
 * reports on a session or socket that another node holds (joins it to a
 * room, disconnects it, closes its connection, connects it again) is a
 * forgery, or a bug: it is refused before any projection sees it. Events
 * about sessions and sockets nobody holds yet are taken: that is how a node
 * learns of the others' new connections.
 *
 * The live server asks its projections who holds what; a reader of a whole
 * stream keeps an `OwnerBook` as it goes.
 */
import type { LogEvent } from './events';
import type { Projections } from './projections';
import { printable } from './untrusted-event';

/** The node that holds a session or a socket, as far as this log knows. */
export interface Owners {
  sessionNode(sid: string): string | undefined;
  socketNode(nsp: string, socketId: string): string | undefined;
}

/** Why `event` claims what belongs to another node, or undefined when it may be folded. */
export function foreignClaim(event: LogEvent, owners: Owners): string | undefined {
  switch (event.type) {
    case 'conn.open':
    case 'conn.heartbeat':
    case 'conn.upgrade':
    case 'conn.error':
    case 'conn.close':
    case 'socket.refused':
    case 'socket.recovery':
      return check(event, 'session', owners.sessionNode(event.sid));
    case 'socket.connect':
      // A recovered socket may come back on another node: its session is the node's claim.
      if (event.recovered) return check(event, 'session', owners.sessionNode(event.sid));
      return check(event, 'socket', owners.socketNode(event.nsp, event.socketId)) ?? check(event, 'session', owners.sessionNode(event.sid));
    case 'room.join':
    case 'room.leave':
      return check(event, 'socket', owners.socketNode(event.nsp, event.socketId));
    case 'socket.disconnect':
      return (
        check(event, 'socket', owners.socketNode(event.nsp, event.socketId)) ??
        (event.sid === undefined ? undefined : check(event, 'session', owners.sessionNode(event.sid)))
      );
    case 'app.error':
      return event.socketId === undefined || event.nsp === undefined ? undefined : check(event, 'socket', owners.socketNode(event.nsp, event.socketId));
    default:
      return undefined;
  }
}

function check(event: LogEvent, what: 'session' | 'socket', owner: string | undefined): string | undefined {
  if (owner === undefined || owner === event.node) return undefined;
  return `${event.type} from node "${printable(event.node, 64)}" about a ${what} of node "${printable(owner, 64)}"`;
}

/** Who holds what according to the live projections: any record they keep, connected or not. */
export function projectionOwners(projections: Projections): Owners {
  const sessions = projections.sessions;
  return {
    sessionNode: (sid) => sessions.session(sid)?.node,
    socketNode: (nsp, socketId) => sessions.socket(nsp, socketId)?.node,
  };
}

/** Who holds what, for a reader of a whole log: the first node to open each session and connect each socket. */
export class OwnerBook implements Owners {
  private readonly sessions = new Map<string, string>();
  private readonly sockets = new Map<string, Map<string, string>>();

  sessionNode(sid: string): string | undefined {
    return this.sessions.get(sid);
  }

  socketNode(nsp: string, socketId: string): string | undefined {
    return this.sockets.get(nsp)?.get(socketId);
  }

  /** Takes note of an event that was not refused. */
  note(event: LogEvent): void {
    if (event.type === 'conn.open' && !this.sessions.has(event.sid)) this.sessions.set(event.sid, event.node);
    if (event.type !== 'socket.connect') return;
    let sockets = this.sockets.get(event.nsp);
    if (!sockets) {
      sockets = new Map();
      this.sockets.set(event.nsp, sockets);
    }
    if (!sockets.has(event.socketId)) sockets.set(event.socketId, event.node);
  }
}

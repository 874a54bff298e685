/**
 * Which connections `iostate replay` shows or counts: `--sid`, `--node`,
 * `--reason`, `--nsp`, `--room`, `--label` and `--since` (`--until` and
 * `--at` stop the fold itself). Each flag narrows; a flag given several
 * times accepts any of its values.
 */
import type { ConnectionStory } from '../log/replay-stream';
import type { SocketReport } from '../log/report';

export interface ReplayFilterOptions {
  sid?: string;
  node?: string[];
  reason?: string[];
  nsp?: string[];
  room?: string[];
  label?: string[];
  since?: number;
}

/** The word a connection is counted under: the reason it closed with, else `lost`, `left` or `open`. */
export function endingOf(story: ConnectionStory<unknown>): string {
  const { connection } = story;
  return connection.reason ?? (connection.state === 'lost' || connection.state === 'left' ? connection.state : 'open');
}

export class ReplayFilter {
  constructor(private readonly options: ReplayFilterOptions) {}

  /** Whether only some connections are asked for (orphan sockets and server events are then left out). */
  get narrows(): boolean {
    const o = this.options;
    return o.sid !== undefined || [o.node, o.reason, o.nsp, o.room, o.label].some((list) => list !== undefined && list.length > 0);
  }

  matches(story: ConnectionStory<unknown>): boolean {
    const o = this.options;
    const { connection, sockets } = story;
    if (o.sid !== undefined && connection.id !== o.sid && !sockets.some((s) => s.id === o.sid)) return false;
    if (o.since !== undefined && connection.closedAt !== undefined && connection.closedAt < o.since) return false;
    if (!anyOf(o.node, (node) => connection.node === node)) return false;
    if (!anyOf(o.reason, (reason) => endingOf(story) === reason || sockets.some((s) => s.reason === reason))) return false;
    if (!anyOf(o.nsp, (nsp) => story.nsps.has(nsp))) return false;
    if (!anyOf(o.room, (room) => story.rooms.has(room))) return false;
    if (!anyOf(o.label, (label) => story.labels.has(label))) return false;
    return true;
  }

  /** A socket without a recorded connection: shown only when no connection filter applies, but for its own id. */
  matchesOrphan(socket: SocketReport): boolean {
    const o = this.options;
    if (o.since !== undefined && socket.disconnectedAt !== undefined && socket.disconnectedAt < o.since) return false;
    if (o.sid !== undefined) return socket.id === o.sid;
    return !this.narrows;
  }

  /** A server event (start, close, namespaces, nodes): kept for the nodes it is about and its time. */
  matchesServer(nodes: string[], ts: number): boolean {
    const o = this.options;
    if (o.sid !== undefined) return false;
    if (o.since !== undefined && ts < o.since) return false;
    return anyOf(o.node, (wanted) => nodes.includes(wanted));
  }
}

function anyOf(values: string[] | undefined, test: (value: string) => boolean): boolean {
  return values === undefined || values.length === 0 || values.some(test);
}

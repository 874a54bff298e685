/**
 * A plain, JSON-serialisable copy of the projections, in a canonical order
 * (sorted ids), so two states can be compared with deep equality: live
 * against replayed, or a node against another.
 */
import type { Projections } from './views';
import type { SessionRecord, SocketRecord } from './sessions';

export interface ProjectionSnapshot {
  /** nsp → room → sorted member ids. */
  rooms: Record<string, Record<string, string[]>>;
  sessions: (Omit<SessionRecord, 'sockets'> & { sockets: string[] })[];
  sockets: (Omit<SocketRecord, 'rooms'> & { rooms: string[] })[];
}

const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

export function projectionSnapshot(projections: Projections): ProjectionSnapshot {
  const rooms: ProjectionSnapshot['rooms'] = {};
  for (const nsp of [...projections.rooms.namespaces()].sort()) {
    const entry: Record<string, string[]> = {};
    for (const room of [...projections.rooms.roomNames(nsp)].sort()) entry[room] = [...(projections.rooms.membersOf(nsp, room) ?? [])].sort();
    rooms[nsp] = entry;
  }
  const sessions = [...projections.sessions.sessions()]
    .map((s) => JSON.parse(JSON.stringify({ ...s, sockets: [...s.sockets].sort() })) as ProjectionSnapshot['sessions'][number])
    .sort(byKey((s) => s.sid));
  const sockets = [...projections.sessions.sockets()]
    .map((s) => JSON.parse(JSON.stringify({ ...s, rooms: [...s.rooms].sort() })) as ProjectionSnapshot['sockets'][number])
    .sort(byKey((s) => `${s.nsp}\u0000${s.socketId}`));
  return { rooms, sessions, sockets };
}

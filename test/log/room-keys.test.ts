/**
 * Room names are the clients' choice, and V8 hashes a string past 16,383
 * characters by its length alone: a thousand such names of one length in a
 * Map made each lookup compare them all. The collections of room-keys.ts
 * key such names by their digest and give the names back as they were set;
 * the rooms and sessions projections use them.
 */
import { describe, expect, it } from 'vitest';
import { boundEvent } from '../../src/log/bound';
import type { LogEvent } from '../../src/log/events';
import { MAX_HASHED_LENGTH, RoomMap, RoomSet, roomKey } from '../../src/log/projections/room-keys';
import { emptyRooms, foldRooms, roomsView } from '../../src/log/projections/rooms';
import { emptySessions, foldSessions } from '../../src/log/projections/sessions';
import { Scenario } from './scenario';

const LONG = 20_000;
/** `count` names of `length` characters that differ only in their last characters. */
const end = (name: string) => `${name.length}:${name.slice(-8)}`;
const sameLength = (count: number, length = LONG) => Array.from({ length: count }, (_, i) => `${'r'.repeat(length - 6)}${String(i).padStart(6, '0')}`);

describe('room keys', () => {
  it('are the name itself up to the bound, a digest past it', () => {
    const atBound = 'a'.repeat(MAX_HASHED_LENGTH);
    expect(roomKey('lobby')).toBe('lobby');
    expect(roomKey('')).toBe('');
    expect(roomKey(atBound)).toBe(atBound);
    expect(roomKey('x'.repeat(45))).toBe('x'.repeat(45)); // a digest key's length, without its NUL
    const past = roomKey(`${atBound}a`);
    expect(past.length).toBeLessThan(64);
    expect(past.charCodeAt(0)).toBe(0);
  });

  it('never let one name pass for another', () => {
    const [a, b] = sameLength(2);
    expect(roomKey(a) === roomKey(b)).toBe(false);
    // UTF-8 would turn every lone surrogate into U+FFFD: these two would share a digest.
    const base = 'x'.repeat(LONG);
    expect(roomKey(`${base}\ud800`) === roomKey(`${base}\udbff`)).toBe(false);
    // A short name shaped like a digest key is keyed by its own digest.
    const posing = roomKey(a);
    expect(roomKey(posing)).not.toBe(posing);
    const rooms = new RoomSet([a, posing]);
    expect(rooms.size).toBe(2);
    expect([...rooms].map(end)).toEqual([end(a), end(posing)]);
  });

  it('give the names back as set, in insertion order', () => {
    const [long1, long2] = sameLength(2);
    const map = new RoomMap<number>();
    map.set('b', 1).set(long1, 2).set('a', 3).set(long2, 4);
    expect(map.get(long2)).toBe(4);
    expect(map.has(long1)).toBe(true);
    expect([...map.keys()].map(end)).toEqual(['b', long1, 'a', long2].map(end));
    expect([...map.entries()].map(([name, value]) => [end(name), value])).toEqual([
      ['1:b', 1],
      [end(long1), 2],
      ['1:a', 3],
      [end(long2), 4],
    ]);
    expect(map.delete(long1)).toBe(true);
    expect(map.delete(long1)).toBe(false);
    expect([...map.keys()].map(end)).toEqual(['b', 'a', long2].map(end));
    expect(map.size).toBe(3);

    const set = new RoomSet(['b', long1, 'a']);
    set.add(long1);
    expect([...set].map(end)).toEqual(['b', long1, 'a'].map(end));
    expect([...set.entries()].every(([key, value]) => key === value)).toBe(true);
    const seen: string[] = [];
    set.forEach((name) => seen.push(end(name)));
    expect(seen).toEqual(['b', long1, 'a'].map(end));
    expect(set.delete(long1)).toBe(true);
    expect(set.has(long1)).toBe(false);
    expect(new Set(set)).toEqual(new Set(['b', 'a']));
    const copy = new RoomSet(set.add(long2));
    copy.delete('b');
    expect([...copy].map(end)).toEqual(['a', long2].map(end));
    expect(copy.has(long2) && set.has('b')).toBe(true);
  });
});

/** ms to fold a socket joining then leaving `names`, the least of a few rounds (a loaded machine only adds time). */
function foldTime(names: string[]): number {
  let least = Infinity;
  for (let round = 0; round < 3; round++) {
    const s = new Scenario();
    s.connect(0, 'e1', 'a');
    for (const room of names) s.add(1, { type: 'room.join', socketId: 'a', nsp: '/', room });
    for (const room of names) s.add(2, { type: 'room.leave', socketId: 'a', nsp: '/', room });
    const rooms = emptyRooms();
    const sessions = emptySessions();
    const start = performance.now();
    for (const event of s.events) {
      foldRooms(rooms, event);
      foldSessions(sessions, event);
    }
    least = Math.min(least, performance.now() - start);
  }
  return least;
}

describe('the projections with long room names', () => {
  it('cost about the same whether the names share one length or not', () => {
    const count = 1000;
    const collide = sameLength(count);
    // Names of as many characters in all, each of its own length: V8 tells them apart by their hashes.
    const apart = Array.from({ length: count }, (_, i) => `${'r'.repeat(LONG - count + i - 6)}${String(i).padStart(6, '0')}`);
    const same = foldTime(collide);
    const distinct = foldTime(apart);
    // Before the digest keys: about 40 times slower (each lookup compared every name); now about even.
    expect(same).toBeLessThan(distinct * 4 + 20);
  });

  it('tell apart names that differ only in their last character, live and after the log cut them', () => {
    const [a, b] = sameLength(2);
    const s = new Scenario();
    s.connect(0, 'e1', 'x');
    s.connect(0, 'e1', 'y');
    s.add(1, { type: 'room.join', socketId: 'x', nsp: '/', room: a });
    s.add(1, { type: 'room.join', socketId: 'y', nsp: '/', room: b });
    s.add(1, { type: 'room.join', socketId: 'y', nsp: '/', room: a });
    s.add(2, { type: 'room.leave', socketId: 'y', nsp: '/', room: a });
    const live = emptyRooms();
    const replayed = emptyRooms();
    for (const event of s.events) {
      foldRooms(live, event);
      // What a replay reads: the record as the log wrote it, long names cut to 1,024 characters and a hash.
      foldRooms(replayed, JSON.parse(JSON.stringify(boundEvent(event, {}))) as LogEvent);
    }
    const view = roomsView(live);
    expect([...view.membersOf('/', a)!]).toEqual(['x']);
    expect([...view.membersOf('/', b)!]).toEqual(['y']);
    // Compared by their ends: a failure prints no 20,000-character names.
    expect([...view.roomsOf('/', 'y')!].map(end)).toEqual(['y', b].map(end));
    const replay = roomsView(replayed);
    const [cutA, cutB] = [...replay.roomNames('/')].filter((name) => name.length > 1);
    expect(cutA === cutB).toBe(false);
    expect(cutA!.length).toBeLessThan(1100);
    expect([...replay.membersOf('/', cutA!)!]).toEqual(['x']);
    expect([...replay.membersOf('/', cutB!)!]).toEqual(['y']);
  });
});

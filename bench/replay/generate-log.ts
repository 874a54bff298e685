/**
 * A generator of large, realistic logs: a recorded real run
 * (recorded-run.jsonl, see record-run.ts) copied many times with fresh
 * ids, on several nodes. Each node starts once, then runs a new copy of the
 * run every `spacingMs`, the copies overlapping as real clients do; times
 * inside a copy can be stretched (`stretch` 10 makes the run's 400 ms
 * heartbeats 4 s apart). A `storm` turns every connection of one node that
 * ends in a window into a ping timeout: the worked incident of
 * docs/replay.md.
 *
 *   node --import tsx bench/replay/generate-log.ts <dir> [--nodes 3] [--copies 1000] [--spacing 50] [--stretch 10]
 *   node --import tsx bench/replay/generate-log.ts <dir> --incident
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseLog } from '../../src/log/read-log';
import type { LogEvent } from '../../src/log/events';

export const RECORDED_RUN = path.join(__dirname, 'recorded-run.jsonl');

export interface GenerateOptions {
  /** Where to write one `<node>.jsonl` per node. */
  dir: string;
  nodes: string[];
  /** Copies of the run per node. */
  copies: number;
  /** Between the starts of two copies on one node. */
  spacingMs: number;
  /** The first node starts then; each next one 1 ms later. Default 2026-01-01T12:00:00Z. */
  start?: number;
  /** Times inside a copy are multiplied by this. Default 1. */
  stretch?: number;
  seed?: number;
  /** Connections of `node` that end in [from, to) end in a ping timeout instead. */
  storm?: { node: string; from: number; to: number };
  /** The run to copy; default the recorded one. */
  recorded?: LogEvent[];
}

export interface GeneratedLog {
  files: string[];
  events: number;
  connections: number;
  /** The most connections open at once on a node, summed over the nodes: at least the cluster's most at once. */
  maxOpen: number;
}

/** Events about the server itself: once per node, not once per copy. */
const SERVER_TYPES = new Set(['server.start', 'server.close', 'nsp.create', 'nsp.delete']);

/** A small seeded generator (mulberry32): the same seed gives the same log. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function freshId(next: () => number): string {
  let id = '';
  for (let i = 0; i < 20; i++) id += ID_CHARS[Math.floor(next() * 64)];
  return id;
}

export function readRecordedRun(file = RECORDED_RUN): LogEvent[] {
  const { events, problems } = parseLog(fs.readFileSync(file, 'utf8'), file);
  if (problems.length > 0) throw new Error(`${file}: ${problems.map((p) => `${p.line}: ${p.message}`).join('; ')}`);
  return events;
}

/** One copy of the run: its events with fresh ids, at `offset`, stretched, with the storm applied. */
function copyRun(template: LogEvent[], base: number, offset: number, stretch: number, node: string, next: () => number, options: GenerateOptions): LogEvent[] {
  const ids = new Map<string, string>();
  const id = (old: string) => {
    let fresh = ids.get(old);
    if (fresh === undefined) ids.set(old, (fresh = freshId(next)));
    return fresh;
  };
  const at = (event: LogEvent) => offset + Math.round((event.ts - base) * stretch);
  const stormed = stormCloses(template, at, node, next, options);
  const settings = new Map<string, { pingInterval: number; pingTimeout: number }>();
  /** The connection each socket of the template ran on. */
  const connectionOf = new Map<string, string>();
  for (const event of template) if (event.type === 'socket.connect') connectionOf.set(event.socketId, event.sid);
  const copies: LogEvent[] = [];
  for (const event of template) {
    const sid =
      'sid' in event && event.sid !== undefined
        ? event.sid
        : 'socketId' in event && event.socketId !== undefined
          ? connectionOf.get(event.socketId)
          : undefined;
    const cut = sid === undefined ? undefined : stormed.get(sid);
    let ts = at(event);
    if (cut !== undefined && ts > cut) {
      // The storm ended it earlier: what it would have done since never happened, but its close and its sockets' disconnects.
      if (event.type !== 'conn.close' && event.type !== 'socket.disconnect') continue;
      ts = cut;
    }
    const copy = { ...event, ts, node } as Record<string, unknown> & LogEvent;
    for (const field of ['sid', 'socketId'] as const) if (typeof copy[field] === 'string') copy[field] = id(copy[field] as string);
    // Default rooms are named after socket ids.
    if ((copy.type === 'room.join' || copy.type === 'room.leave') && ids.has(copy.room)) copy.room = ids.get(copy.room)!;
    if (copy.type === 'socket.disconnect' && copy.rooms) copy.rooms = copy.rooms.map((room) => ids.get(room) ?? room);
    if (copy.type === 'conn.open' && event.type === 'conn.open') {
      copy.pingInterval = Math.round(copy.pingInterval * stretch);
      copy.pingTimeout = Math.round(copy.pingTimeout * stretch);
      settings.set(event.sid, copy);
    }
    if (copy.type === 'conn.close' && event.type === 'conn.close') {
      for (const field of ['lastPingAt', 'lastPongAt'] as const) if (copy[field] !== undefined) copy[field] = at({ ...event, ts: copy[field]! });
      if (cut !== undefined) {
        const { pingInterval, pingTimeout } = settings.get(event.sid) ?? { pingInterval: 25000, pingTimeout: 20000 };
        Object.assign(copy, {
          reason: 'ping timeout',
          initiator: 'server',
          description: `no pong within ${pingTimeout} ms of the last ping`,
          lastPingAt: ts - pingTimeout,
          lastPongAt: ts - pingTimeout - pingInterval,
        });
        delete copy.wsCode;
        delete copy.wsReason;
      }
    }
    if (copy.type === 'socket.disconnect' && cut !== undefined && ts === cut) Object.assign(copy, { reason: 'ping timeout', initiator: 'server' });
    copies.push(copy);
  }
  return copies.sort((x, y) => x.ts - y.ts);
}

/**
 * When the storm ends each connection of this copy: those of the storm's node
 * that are open during its window die in it, of a ping timeout, at a random
 * time in the window (or at their own close if it falls in it).
 */
function stormCloses(template: LogEvent[], at: (event: LogEvent) => number, node: string, next: () => number, options: GenerateOptions): Map<string, number> {
  const closes = new Map<string, number>();
  const storm = options.storm;
  if (!storm || storm.node !== node) return closes;
  const opened = new Map<string, number>();
  for (const event of template) {
    if (event.type === 'conn.open') opened.set(event.sid, at(event));
    if (event.type !== 'conn.close' || !opened.has(event.sid)) continue;
    const open = opened.get(event.sid)!;
    const close = at(event);
    if (close < storm.from || open >= storm.to) continue;
    closes.set(event.sid, close < storm.to ? close : Math.max(open + 1, storm.from + Math.floor(next() * (storm.to - storm.from))));
  }
  return closes;
}

/** A binary heap of the copies running on a node, by the ts of their next event. */
class Running {
  private readonly heap: { events: LogEvent[]; index: number }[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): number {
    const top = this.heap[0]!;
    return top.events[top.index]!.ts;
  }

  add(events: LogEvent[]): void {
    this.heap.push({ events, index: 0 });
    this.up(this.heap.length - 1);
  }

  take(): LogEvent {
    const top = this.heap[0]!;
    const event = top.events[top.index++]!;
    if (top.index === top.events.length) {
      const last = this.heap.pop()!;
      if (this.heap.length > 0) this.heap[0] = last;
    }
    if (this.heap.length > 0) this.down(0);
    return event;
  }

  private key(i: number): number {
    const entry = this.heap[i]!;
    return entry.events[entry.index]!.ts;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.key(parent) <= this.key(i)) return;
      [this.heap[parent], this.heap[i]] = [this.heap[i]!, this.heap[parent]!];
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < this.heap.length && this.key(l) < this.key(min)) min = l;
      if (r < this.heap.length && this.key(r) < this.key(min)) min = r;
      if (min === i) return;
      [this.heap[min], this.heap[i]] = [this.heap[i]!, this.heap[min]!];
      i = min;
    }
  }
}

/** Writes the node's log, a copy at a time: memory holds the copies running at once. */
async function writeNode(
  node: string,
  index: number,
  options: GenerateOptions,
  recorded: LogEvent[],
): Promise<{ file: string; events: number; connections: number; maxOpen: number }> {
  const file = path.join(options.dir, `${node}.jsonl`);
  const out = fs.createWriteStream(file);
  const next = random((options.seed ?? 1) * 7919 + index);
  const base = recorded[0]!.ts;
  const start = (options.start ?? Date.UTC(2026, 0, 1, 12)) + index;
  const stretch = options.stretch ?? 1;
  const server = recorded.filter((e) => SERVER_TYPES.has(e.type) && e.type !== 'server.close');
  const close = recorded.find((e) => e.type === 'server.close');
  const template = recorded.filter((e) => !SERVER_TYPES.has(e.type));
  let seq = 0;
  let events = 0;
  let open = 0;
  let maxOpen = 0;
  let connections = 0;
  let buffer: string[] = [];
  const write = async (event: LogEvent, ts: number) => {
    buffer.push(JSON.stringify({ ...event, seq: ++seq, ts, node }));
    events++;
    if (event.type === 'conn.open') {
      connections++;
      maxOpen = Math.max(maxOpen, ++open);
    } else if (event.type === 'conn.close') open--;
    if (buffer.length >= 2000) {
      if (!out.write(`${buffer.join('\n')}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      buffer = [];
    }
  };
  for (const event of server) await write(event, start);
  const running = new Running();
  let copy = 0;
  let last = start;
  while (copy < options.copies || running.size > 0) {
    const nextCopy = copy < options.copies ? start + 1 + copy * options.spacingMs : Infinity;
    if (running.size === 0 || nextCopy <= running.peek()) {
      running.add(copyRun(template, base, nextCopy, stretch, node, next, options));
      copy++;
      continue;
    }
    const event = running.take();
    last = event.ts;
    await write(event, event.ts);
  }
  if (close) await write(close, last + 1);
  out.end(`${buffer.join('\n')}${buffer.length > 0 ? '\n' : ''}`);
  await new Promise<void>((resolve) => out.once('finish', () => resolve()));
  return { file, events, connections, maxOpen };
}

export async function generateLog(options: GenerateOptions): Promise<GeneratedLog> {
  const recorded = options.recorded ?? readRecordedRun();
  fs.mkdirSync(options.dir, { recursive: true });
  const result: GeneratedLog = { files: [], events: 0, connections: 0, maxOpen: 0 };
  for (const [index, node] of options.nodes.entries()) {
    const written = await writeNode(node, index, options, recorded);
    result.files.push(written.file);
    result.events += written.events;
    result.connections += written.connections;
    result.maxOpen += written.maxOpen;
  }
  return result;
}

/**
 * The logs of the worked incident in docs/replay.md: three chat nodes for ten
 * minutes from 12:00, 2,250 connections, and a ping-timeout storm on chat-b
 * from 12:04 to 12:05.
 */
export function incidentOptions(dir: string): GenerateOptions {
  const noon = Date.UTC(2026, 0, 1, 12);
  return {
    dir,
    nodes: ['chat-a', 'chat-b', 'chat-c'],
    copies: 150,
    spacingMs: 4000,
    stretch: 20,
    seed: 7,
    storm: { node: 'chat-b', from: noon + 4 * 60_000, to: noon + 5 * 60_000 },
  };
}

if (require.main === module) {
  const [dir, ...rest] = process.argv.slice(2);
  const flag = (name: string, fallback: number) => {
    const i = rest.indexOf(`--${name}`);
    return i >= 0 ? Number(rest[i + 1]) : fallback;
  };
  if (!dir) {
    console.error('Usage: node --import tsx bench/replay/generate-log.ts <dir> [--incident | --nodes 3 --copies 1000 --spacing 50 --stretch 10 --seed 1]');
    process.exit(2);
  }
  const nodes = Array.from({ length: flag('nodes', 3) }, (_, i) => `node-${String.fromCharCode(97 + i)}`);
  const options = rest.includes('--incident')
    ? incidentOptions(dir)
    : { dir, nodes, copies: flag('copies', 1000), spacingMs: flag('spacing', 50), stretch: flag('stretch', 10), seed: flag('seed', 1) };
  void generateLog(options).then((log) => console.log(JSON.stringify(log)));
}

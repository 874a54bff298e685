/**
 * Reads JSONL logs back. Each line is validated against the event schema; a
 * bad line (a truncated last line after a crash, an edit, a newer version's
 * event, a `ts` out of range) is reported with its line number and skipped,
 * never thrown. Several
 * files (rotated files, or one per node) are merged by ts, then node, then
 * seq, keeping each file's own order.
 */
import * as fs from 'node:fs/promises';
import { logEvent, type LogEvent } from './events';

export interface LogProblem {
  file: string;
  /** 1-based. */
  line: number;
  message: string;
}

export interface ReadLogResult {
  events: LogEvent[];
  problems: LogProblem[];
}

/** The last millisecond an ISO date can write (year 9999); the first is the epoch. */
const MAX_TS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** One file's events come from one clock: an event further than this from their median was not written by it. */
const MAX_TS_DISTANCE = 366 * 24 * 3600 * 1000;

export function parseLog(text: string, file = '<input>'): ReadLogResult {
  const parsed: { event: LogEvent; line: number }[] = [];
  const problems: LogProblem[] = [];
  const lines = text.split('\n');
  const endsWhole = text.endsWith('\n');
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const isLast = index === lines.length - 1 && !endsWhole;
    const problem = (message: string) => problems.push({ file, line: index + 1, message });
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      problem(isLast ? 'incomplete last line (the writer stopped mid-line)' : `not JSON: ${(error as Error).message}`);
      return;
    }
    const result = logEvent.safeParse(json);
    if (!result.success) problem(`not a log event: ${result.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ')}`);
    else if (result.data.ts < 0 || result.data.ts > MAX_TS) problem(`ts out of range: ${result.data.ts} is not a date from 1970 to 9999`);
    else parsed.push({ event: result.data, line: index + 1 });
  });
  const events: LogEvent[] = [];
  const median = medianTs(parsed.map(({ event }) => event.ts));
  for (const { event, line } of parsed) {
    if (Math.abs(event.ts - median) <= MAX_TS_DISTANCE) events.push(event);
    else problems.push({ file, line, message: `ts out of range: ${new Date(event.ts).toISOString()} is more than a year from this file's other events (median ${new Date(median).toISOString()})` });
  }
  problems.sort((a, b) => a.line - b.line);
  return { events, problems };
}

function medianTs(times: number[]): number {
  const sorted = times.sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Reads one or several JSONL files; an unreadable file is a problem at line 0. */
export async function readLog(paths: string | readonly string[]): Promise<ReadLogResult> {
  const files = typeof paths === 'string' ? [paths] : paths;
  const problems: LogProblem[] = [];
  const lists: LogEvent[][] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      problems.push({ file, line: 0, message: `cannot read: ${(error as Error).message}` });
      continue;
    }
    const result = parseLog(text, file);
    lists.push(result.events);
    problems.push(...result.problems);
  }
  return { events: mergeEvents(lists), problems };
}

function before(a: LogEvent, b: LogEvent): boolean {
  if (a.ts !== b.ts) return a.ts < b.ts;
  if (a.node !== b.node) return a.node < b.node;
  return a.seq < b.seq;
}

/** What makes an event itself: read twice (a node's own file and the cluster's stream), it is kept once. */
function identity(event: LogEvent): string {
  return `${event.node}\u0000${event.seq}\u0000${event.ts}\u0000${event.type}`;
}

/**
 * Merges event lists by (ts, node, seq), taking each list in its own order.
 * An event found in several lists is kept once.
 */
export function mergeEvents(lists: readonly (readonly LogEvent[])[]): LogEvent[] {
  if (lists.length === 1) return [...lists[0]!];
  const heads = lists.map(() => 0);
  const merged: LogEvent[] = [];
  const seen = new Set<string>();
  for (;;) {
    let pick = -1;
    let next: LogEvent | undefined;
    lists.forEach((list, i) => {
      const candidate = list[heads[i]!];
      if (candidate && (!next || before(candidate, next))) {
        pick = i;
        next = candidate;
      }
    });
    if (!next) return merged;
    const key = identity(next);
    if (!seen.has(key)) {
      seen.add(key);
      merged.push(next);
    }
    heads[pick]!++;
  }
}

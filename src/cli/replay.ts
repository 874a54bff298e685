/** `iostate replay <log.jsonl...>`: a log replayed as a stream, connection by connection, or summed up with --summary. */
import type { LogEvent } from '../log/events';
import { ReplayStream, type ConnectionStory } from '../log/replay-stream';
import { connectionJson, socketJson } from '../log/replay';
import type { SocketReport, TimelineEntry } from '../log/report';
import { projectionsView } from '../log/projections';
import { terminalJson, visible } from '../inspect/visible-text';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseLogCommand, type CliIO, type Command } from './command';
import { LogSourceError, MAX_PROBLEMS_SHOWN, openLog, ProblemReport, sourceNames, STDIN, type LogSource } from './log-source';
import { isTimeOfDay, parseTime } from './parse-time';
import { formatFooter, formatHeader, formatOpenHeading, formatOrphan, formatRooms, formatServerEntry, writeStory } from './replay-format';
import { ReplayFilter } from './replay-filter';
import { Output, SpillBuffer } from './replay-output';
import { textTimelines, textTimelinesWhile, type TextTimeline } from './replay-timeline';
import { ReplaySummary } from './replay-summary';

const usage = `Usage: iostate replay <log.jsonl...> [--sid ID] [--at TIME] [--json] [filters] [--summary] [--follow]
       iostate replay --redis URL [--key KEY] [log.jsonl...] [--sid ID] [--at TIME] [--json] [filters] [--summary]
       iostate replay --redis URL [--key KEY] --follow [--json] [filters]

Folds an iostate event log with the live server's projections and prints
each connection as it ends (then those still open), with its sockets, its
timeline, and why it ended: the reason the server gave and the evidence for
it. Memory follows the connections open at a time, not the log's length.

  <log.jsonl...>  one or more JSONL logs (rotated files, or one per node);
                  several are merged by time, then node, then seq;
                  - reads standard input
  --redis URL     also read a cluster's shared log from the Redis at URL
                  (redis://host:port): the stream <KEY>-log that the Redis
                  adapter writes, merged with the files as one more file
  --key KEY       the Redis adapter's key (default socket.io); needs --redis
  --at TIME       the state at TIME: ms since the epoch, an ISO date, or a
                  UTC time of day (12:00:30.125) on the log's first day
  --json          print {"at", "connections": [...], "sockets": [...]}
                  (with --follow: one {"connection", "sockets"} per line)
  --summary       count the connections by reason, transport, protocol, node
                  and minute, with the top evidence of each, instead
  --follow        keep reading the one file (or -), or the --redis stream
                  given alone, as it grows (a stream with a blocking XREAD);
                  Ctrl-C ends the replay as if the log ended there

Filters (a flag given twice accepts either value):
  --sid ID        the connection with this Engine.IO id, or of this socket id
  --reason TEXT   connections that ended with this reason (or a socket of
                  theirs did); lost and open name the others
  --node NAME     connections served by this node
  --nsp NSP       connections with a socket on this namespace
  --room ROOM     connections with a socket that was in this room
  --label TEXT    connections with a socket recorded with this label
  --since TIME    leave out connections that ended before TIME
  --until TIME    stop the replay at TIME (as --at)
  --limit N       print at most N connections (with --summary: N rows per
                  table, default 10)

The first ${MAX_PROBLEMS_SHOWN} bad lines of a log are reported on stderr with their line
numbers, then how many more there were; they are skipped, and so are stream
entries that are not events, with their entry ids.
`;

const options = {
  sid: { type: 'string' },
  at: { type: 'string' },
  json: { type: 'boolean' },
  summary: { type: 'boolean' },
  follow: { type: 'boolean' },
  reason: { type: 'string', multiple: true },
  node: { type: 'string', multiple: true },
  nsp: { type: 'string', multiple: true },
  room: { type: 'string', multiple: true },
  label: { type: 'string', multiple: true },
  since: { type: 'string' },
  until: { type: 'string' },
  limit: { type: 'string' },
} as const;

const DEFAULT_SUMMARY_ROWS = 10;

/** The times given, checked now and resolved against the log's first event once it is read. */
interface Times {
  at?: string;
  since?: string;
  until?: string;
}

function checkTimes(times: Times): string | undefined {
  for (const [flag, text] of Object.entries(times)) {
    if (text === undefined) continue;
    try {
      parseTime(text, 0, `--${flag}`);
    } catch (error) {
      return (error as Error).message;
    }
  }
  return undefined;
}

function resolveTimes(times: Times, first: number): { at?: number; since?: number } {
  const time = (flag: string, text: string | undefined) =>
    text === undefined ? undefined : parseTime(text, isTimeOfDay(text) ? first : undefined, `--${flag}`);
  const at = time('at', times.at);
  const until = time('until', times.until);
  return { at: at === undefined ? until : until === undefined ? at : Math.min(at, until), since: time('since', times.since) };
}

async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseLogCommand('replay', usage, args, options, io);
  if (typeof parsed === 'number') return parsed;
  const { values, source } = parsed;
  const usageError = (message: string) => {
    io.stderr(`iostate replay: ${message}\n`);
    return EXIT_USAGE;
  };
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) return usageError(`--limit must be a positive integer, got "${values.limit}"`);
  const times: Times = { at: values.at, since: values.since, until: values.until };
  const timeError = checkTimes(times);
  if (timeError) return usageError(timeError);
  if (values.follow && source.files.length !== (source.redis ? 0 : 1))
    return usageError('--follow reads one file, or - for standard input, or the --redis stream alone');
  if (source.files.filter((file) => file === STDIN).length > 1) return usageError('- (standard input) can be given once');

  let interrupt: AbortController | undefined;
  const onInterrupt = () => interrupt?.abort();
  if (values.follow && !io.signal) {
    // Ctrl-C ends the replay as if the log had ended there; a second one stops at once.
    interrupt = new AbortController();
    process.once('SIGINT', onInterrupt);
  }
  try {
    return await replayLog(io, source, { ...values, limit, times, signal: io.signal ?? interrupt?.signal });
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

interface RunOptions {
  sid?: string;
  json?: boolean;
  summary?: boolean;
  follow?: boolean;
  reason?: string[];
  node?: string[];
  nsp?: string[];
  room?: string[];
  label?: string[];
  limit?: number;
  times: Times;
  signal?: AbortSignal;
}

/** What the command writes, in the form asked for. */
interface Writer {
  start(at: number | undefined): void;
  server(entry: TimelineEntry): void;
  connection(story: ConnectionStory<TextTimeline>, ended: boolean): void;
  orphan(socket: SocketReport): void;
  end(stream: ReplayStream<TextTimeline>, at: number | undefined): Promise<void>;
  /** Frees what it holds aside (a temporary file), whether it ended or failed. */
  close?(): void;
}

async function replayLog(io: CliIO, source: LogSource, o: RunOptions): Promise<number> {
  const problems = new ProblemReport(io);
  const output = new Output(io);
  const files = sourceNames(source);
  let stream: ReplayStream<TextTimeline> | undefined;
  let at: number | undefined;
  let shown = 0;
  let matched = 0;
  let open = 0;
  let sockets = 0;
  const summary = o.summary ? new ReplaySummary() : undefined;
  const writer = summary
    ? summaryWriter(output, summary, o, files)
    : o.json
      ? o.follow
        ? jsonLinesWriter(output)
        : jsonWriter(output)
      : textWriter(output, files, o);
  const listing = !summary;
  const { limit } = o;

  const start = (first: LogEvent) => {
    const resolved = resolveTimes(o.times, first.ts);
    at = resolved.at;
    const f = new ReplayFilter({ sid: o.sid, node: o.node, reason: o.reason, nsp: o.nsp, room: o.room, label: o.label, since: resolved.since });
    writer.start(at);
    stream = new ReplayStream({
      at,
      timelines: listing && !o.json,
      keeper: limit === undefined ? textTimelines : textTimelinesWhile(() => shown < limit),
      onConnection: (story, ended) => {
        if (!f.matches(story)) return;
        matched++;
        if (!ended) open++;
        sockets += story.sockets.length;
        summary?.add(story);
        if (listing && (limit === undefined || shown < limit)) {
          shown++;
          writer.connection(story, ended);
        }
      },
      onOrphan: (socket) => {
        if (listing && f.matchesOrphan(socket)) writer.orphan(socket);
      },
      onServer: (entry, event) => {
        if (event.type === 'server.start' && f.matchesServer([event.node], event.ts)) summary?.started(event.node, event.ts);
        if (f.matchesServer(event.type === 'node.down' ? [event.node, event.down] : [event.node], event.ts)) writer.server(entry);
      },
    });
  };

  try {
    try {
      for await (const batch of openLog('replay', source, problems, { follow: o.follow, signal: o.signal, stdin: io.stdin })) {
        if (!stream) start(batch[0]!);
        for (const event of batch) stream!.push(event);
        // Following, what a batch ended is shown at once; otherwise output goes in chunks.
        await output.flush(o.follow);
      }
    } catch (error) {
      if (!(error instanceof LogSourceError)) throw error;
      problems.finish();
      await output.flush(true);
      io.stderr(`${error.message}\n`);
      return EXIT_FAILED;
    }
    problems.finish();
    if (!stream) {
      io.stderr(`iostate replay: no events in ${files.join(', ')}\n`);
      return EXIT_FAILED;
    }
    stream.end();
    if (o.sid !== undefined && matched === 0) {
      await output.flush(true);
      io.stderr(`iostate replay: no connection or socket with id ${o.sid}${at === undefined ? '' : ' at that time'}\n`);
      return EXIT_FAILED;
    }
    await writer.end(stream, at);
    if (listing && !o.json) output.write(formatFooter({ folded: stream.folded, files, at, shown, matched, open, sockets }));
    await output.flush(true);
    return EXIT_OK;
  } finally {
    writer.close?.();
  }
}

function textWriter(output: Output, files: string[], o: RunOptions): Writer {
  let openHeading = false;
  let at: number | undefined;
  /** Whether a block (a connection, a socket) was written last: a server line after one needs a blank line. */
  let afterBlock = false;
  return {
    start: (time) => {
      at = time;
      output.write(formatHeader(files, time));
    },
    server: (entry) => {
      output.write(`${afterBlock ? '\n' : ''}${formatServerEntry(entry)}`);
      afterBlock = false;
    },
    connection: (story, ended) => {
      if (!ended && !openHeading) {
        openHeading = true;
        output.write(formatOpenHeading(at));
      }
      writeStory(story, output);
      afterBlock = true;
    },
    orphan: (socket) => {
      output.write(formatOrphan(socket));
      afterBlock = true;
    },
    end: async (stream) => {
      const narrowed = o.sid !== undefined || [o.node, o.reason, o.nsp, o.room, o.label].some((list) => list !== undefined && list.length > 0);
      if (!narrowed) output.write(formatRooms(projectionsView(stream.state).rooms, at));
    },
  };
}

/** Indents a pretty-printed value to sit in a list two levels deep. */
const item = (value: unknown) => `    ${terminalJson(JSON.stringify(value, null, 2)).replace(/\n/g, '\n    ')}`;

/** The --json document: connections streamed as they end, sockets kept aside (in a temporary file when many) and written after. */
function jsonWriter(output: Output): Writer {
  const kept = new SpillBuffer();
  let connections = 0;
  let socketCount = 0;
  return {
    start: (at) => output.write(`{\n  "at": ${at === undefined ? 'null' : JSON.stringify(new Date(at).toISOString())},\n  "connections": [`),
    server: () => {},
    connection: (story) => {
      output.write(`${connections++ === 0 ? '' : ','}\n${item(connectionJson(story.connection))}`);
      for (const socket of story.sockets) kept.add(`${socketCount++ === 0 ? '' : ','}\n${item(socketJson(socket))}`);
    },
    orphan: (socket) => kept.add(`${socketCount++ === 0 ? '' : ','}\n${item(socketJson(socket))}`),
    end: async () => {
      output.write(`${connections > 0 ? '\n  ' : ''}],\n  "sockets": [`);
      await kept.drainTo(output);
      output.write(`${socketCount > 0 ? '\n  ' : ''}]\n}\n`);
    },
    close: () => kept.discard(),
  };
}

/** --follow --json: one line per connection as it ends, so that a reader can act on each at once. */
function jsonLinesWriter(output: Output): Writer {
  const line = (value: unknown) => output.write(`${terminalJson(JSON.stringify(value))}\n`);
  return {
    start: () => {},
    server: () => {},
    connection: (story) => line({ connection: connectionJson(story.connection), sockets: story.sockets.map(socketJson) }),
    orphan: (socket) => line({ connection: null, sockets: [socketJson(socket)] }),
    end: async () => {},
  };
}

function summaryWriter(output: Output, summary: ReplaySummary, o: RunOptions, files: string[]): Writer {
  const rows = o.limit ?? DEFAULT_SUMMARY_ROWS;
  let at: number | undefined;
  return {
    start: (time) => {
      at = time;
    },
    server: () => {},
    connection: () => {},
    orphan: () => {},
    end: async (stream) => {
      if (o.json) {
        const json = { at: at === undefined ? null : new Date(at).toISOString(), events: stream.folded, ...summary.json(rows) };
        output.write(`${terminalJson(JSON.stringify(json, null, 2))}\n`);
        return;
      }
      output.write(
        `${visible(`Summary of ${stream.folded} event${stream.folded === 1 ? '' : 's'} from ${files.join(', ')}, ${at === undefined ? 'to the end of the log' : `to ${new Date(at).toISOString()}`}`)}\n`,
      );
      output.write(summary.format(rows));
    },
  };
}

export const replayCommand: Command = { usage, run };

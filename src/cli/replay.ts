/** `iostate replay <log.jsonl...> [--sid ID] [--at TIME] [--json]`, or from a cluster's Redis with `--redis URL [--key KEY]` */
import { replay, replayJson } from '../log/replay';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseLogCommand, type CliIO, type Command } from './command';
import { readEvents, sourceNames } from './log-source';
import { parseTime } from './parse-time';
import { formatReplay } from './replay-format';
import { terminalJson } from '../inspect/visible-text';

const usage = `Usage: iostate replay <log.jsonl...> [--sid ID] [--at TIME] [--json]
       iostate replay --redis URL [--key KEY] [log.jsonl...] [--sid ID] [--at TIME] [--json]

Folds an iostate event log with the live server's projections and prints the
state at a time, each connection's timeline, and why each connection and
socket ended: the reason the server gave and the evidence for it.

  <log.jsonl...>  one or more JSONL logs (rotated files, or one per node);
                  several are merged by time, then node, then seq
  --redis URL     also read a cluster's shared log from the Redis at URL
                  (redis://host:port): the stream <KEY>-log that the Redis
                  adapter writes, merged with the files as one more file
  --key KEY       the Redis adapter's key (default socket.io); needs --redis
  --sid ID        only the connection with this Engine.IO id, or the
                  connection of the socket with this id
  --at TIME       the state at TIME: ms since the epoch, an ISO date, or a
                  UTC time of day (12:00:30.125) on the log's first day
  --json          print {"sockets": [...], "connections": [...]} instead

Bad lines in a log are reported on stderr with their line numbers and skipped,
and so are stream entries that are not events, with their entry ids.
`;

async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseLogCommand('replay', usage, args, { sid: { type: 'string' }, at: { type: 'string' }, json: { type: 'boolean' } }, io);
  if (typeof parsed === 'number') return parsed;
  const { values, source } = parsed;
  const events = await readEvents('replay', source, io);
  if (!events) return EXIT_FAILED;

  let at: number | undefined;
  if (values.at !== undefined) {
    try {
      at = parseTime(values.at, events[0]?.ts);
    } catch (error) {
      io.stderr(`iostate replay: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
  }

  const result = replay(events, { at, sid: values.sid });
  if (values.sid !== undefined && result.connections.length === 0 && result.sockets.length === 0) {
    io.stderr(`iostate replay: no connection or socket with id ${values.sid}${at === undefined ? '' : ' at that time'}\n`);
    return EXIT_FAILED;
  }
  io.stdout(values.json ? terminalJson(JSON.stringify(replayJson(result), null, 2)) + '\n' : formatReplay(result, { files: sourceNames(source), showRooms: values.sid === undefined }));
  return EXIT_OK;
}

export const replayCommand: Command = { usage, run };

/** `iostate replay <log.jsonl...> [--sid ID] [--at TIME] [--json]` */
import { replay, replayJson } from '../log/replay';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseLogCommand, readEvents, type CliIO, type Command } from './command';
import { parseTime } from './parse-time';
import { formatReplay } from './replay-format';

const usage = `Usage: iostate replay <log.jsonl...> [--sid ID] [--at TIME] [--json]

Folds an iostate event log with the live server's projections and prints the
state at a time, each connection's timeline, and why each connection and
socket ended: the reason the server gave and the evidence for it.

  <log.jsonl...>  one or more JSONL logs (rotated files, or one per node);
                  several are merged by time, then node, then seq
  --sid ID        only the connection with this Engine.IO id, or the
                  connection of the socket with this id
  --at TIME       the state at TIME: ms since the epoch, an ISO date, or a
                  UTC time of day (12:00:30.125) on the log's first day
  --json          print {"sockets": [...], "connections": [...]} instead

Bad lines in a log are reported on stderr with their line numbers and skipped.
`;

async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseLogCommand('replay', usage, args, { sid: { type: 'string' }, at: { type: 'string' }, json: { type: 'boolean' } }, io);
  if (typeof parsed === 'number') return parsed;
  const { values, files } = parsed;
  const events = await readEvents('replay', files, io);
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
  io.stdout(values.json ? JSON.stringify(replayJson(result), null, 2) + '\n' : formatReplay(result, { files, showRooms: values.sid === undefined }));
  return EXIT_OK;
}

export const replayCommand: Command = { usage, run };

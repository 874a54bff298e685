/** `iostate inspect <log.jsonl...> [-o timeline.html] [--sid ID] [--max N] [--title TEXT]`, or from a cluster's Redis with `--redis URL [--key KEY]` */
import { writeFile } from 'node:fs/promises';
import { buildLanes } from '../inspect/lanes';
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_OVERVIEW, renderTimelineHtml } from '../inspect/timeline';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseLogCommand, type CliIO, type Command } from './command';
import { readEvents, sourceNames } from './log-source';

const DEFAULT_OUTPUT = 'timeline.html';

const usage = `Usage: iostate inspect <log.jsonl...> [-o timeline.html] [--sid ID] [--max N] [--title TEXT]
       iostate inspect --redis URL [--key KEY] [log.jsonl...] [-o timeline.html] [--sid ID] [--max N] [--title TEXT]

Draws an iostate event log as one self-contained HTML file (no network
needed to open it): a swimlane per connection and per socket showing their
states over time, upgrades, heartbeats, joins and leaves, and why each one
ended, with the same explanations as \`iostate replay\`.

  <log.jsonl...>   one or more JSONL logs (rotated files, or one per node)
  --redis URL      also read a cluster's shared log from the Redis at URL
                   (redis://host:port): the stream <KEY>-log that the Redis
                   adapter writes, merged with the files as one more file
  --key KEY        the Redis adapter's key (default socket.io); needs --redis
  -o, --output F   where to write the page (default ${DEFAULT_OUTPUT}; "-" for stdout)
  --sid ID         draw only the connection with this Engine.IO id
  --max N          a card for at most the latest N connections (default
                   ${DEFAULT_MAX_CONNECTIONS}); the chart counts them all, the overview
                   draws up to the latest ${DEFAULT_MAX_OVERVIEW.toLocaleString('en-US')}
  --title TEXT     the page title

Bad lines in a log are reported on stderr with their line numbers and skipped,
and so are stream entries that are not events, with their entry ids.
`;

async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseLogCommand(
    'inspect',
    usage,
    args,
    { output: { type: 'string', short: 'o' }, sid: { type: 'string' }, max: { type: 'string' }, title: { type: 'string' } },
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, source } = parsed;
  const max = values.max === undefined ? undefined : Number(values.max);
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    io.stderr(`iostate inspect: --max must be a positive integer, got "${values.max}"\n`);
    return EXIT_USAGE;
  }

  const events = await readEvents('inspect', source, io);
  if (!events) return EXIT_FAILED;
  if (values.sid !== undefined && buildLanes(events, { sid: values.sid }).length === 0) {
    io.stderr(`iostate inspect: no connection with id ${values.sid}\n`);
    return EXIT_FAILED;
  }

  const html = renderTimelineHtml(events, { sid: values.sid, maxConnections: max, title: values.title, source: sourceNames(source).join(', ') });
  const output = values.output ?? DEFAULT_OUTPUT;
  if (output === '-') {
    io.stdout(html);
    return EXIT_OK;
  }
  try {
    await writeFile(output, html);
  } catch (error) {
    io.stderr(`iostate inspect: cannot write ${output}: ${(error as Error).message}\n`);
    return EXIT_FAILED;
  }
  io.stdout(`wrote ${output} (${events.length} events)\n`);
  return EXIT_OK;
}

export const inspectCommand: Command = { usage, run };

/**
 * The worked incident of docs/replay.md runs as written: each `$ iostate`
 * command of a block marked `<!-- incident -->` runs on the logs the
 * generator makes for it (bench/replay/generate-log.ts --incident), and
 * every run of lines the block shows between `…` lines is in the output, in
 * that order.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLog, incidentOptions } from '../../bench/replay/generate-log';
import { runCli } from '../cli/run-cli';

const doc = path.join(__dirname, '..', '..', 'docs', 'replay.md');

interface Shown {
  argv: string[];
  /** The lines shown, cut at each `…` line. */
  parts: string[][];
}

/** Splits a shell command line at spaces, keeping "quoted words" whole. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

function shownBlocks(): Shown[] {
  const lines = fs.readFileSync(doc, 'utf8').split('\n');
  const blocks: Shown[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '<!-- incident -->') continue;
    expect(lines[i + 1]).toBe('```text');
    const end = lines.indexOf('```', i + 2);
    const [command, ...output] = lines.slice(i + 2, end);
    expect(command).toMatch(/^\$ iostate /);
    const parts: string[][] = [[]];
    for (const line of output) {
      if (line === '…') parts.push([]);
      else parts[parts.length - 1]!.push(line);
    }
    blocks.push({ argv: words(command!.slice('$ iostate '.length)), parts: parts.filter((part) => part.length > 0) });
  }
  return blocks;
}

let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iostate-incident-'));
  await generateLog(incidentOptions(dir));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the worked incident of docs/replay.md', () => {
  const blocks = shownBlocks();

  it('has its three steps', () => {
    expect(blocks.map((b) => b.argv.includes('--summary'))).toEqual([true, true, false]);
  });

  it.each(blocks.map((block) => [block.argv.join(' '), block] as const))('$ iostate %s', async (_, block) => {
    // The files as the reader names them, from the directory the generator wrote.
    const argv = block.argv.map((arg) => (arg.endsWith('.jsonl') ? path.join(dir, arg) : arg));
    const { code, stdout, stderr } = await runCli(...argv);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const output = stdout.split(`${dir}${path.sep}`).join('');
    let from = 0;
    for (const part of block.parts) {
      const at = output.indexOf(`${part.join('\n')}\n`, from);
      expect(at, `in order:\n${part.join('\n')}\n\nin:\n${output}`).toBeGreaterThanOrEqual(from);
      from = at + part.join('\n').length;
    }
  });
});

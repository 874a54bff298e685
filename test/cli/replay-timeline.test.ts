/**
 * The text output's timelines under --limit: a connection that begins once
 * the limit is reached gets none (it will not be printed), and writing to
 * that shared empty timeline changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { textTimelines, textTimelinesWhile } from '../../src/cli/replay-timeline';
import type { LogEvent } from '../../src/log/events';

const event = (sid: string, ts: number): LogEvent => ({ type: 'nsp.delete', seq: ts, ts, node: 'n', nsp: `/${sid}` }) as LogEvent;

describe('textTimelinesWhile', () => {
  it('keeps the timelines of connections begun while printable, and none after', () => {
    let printable = true;
    const keeper = textTimelinesWhile(() => printable);
    const kept = keeper.begin();
    printable = false;
    const skipped = keeper.begin();
    keeper.add(kept, event('a', 1));
    keeper.add(skipped, event('b', 2));
    keeper.add(kept, event('a', 3));
    expect(skipped).toBe(textTimelines.none);
    expect(kept.lines().toString()).toMatch(/^ +00:00:00\.001 {2}namespace \/a deleted: its last socket left\n +00:00:00\.003 {2}namespace \/a deleted/);
    expect(textTimelines.none.lines()).toHaveLength(0);
  });
});

import { describe, expect, it } from 'vitest';
import { buildLanes } from '../../src/inspect/lanes';
import { renderTimelineHtml } from '../../src/inspect/timeline';
import { replay, replayJson } from '../../src/log/replay';
import { chatLog, NOON } from './fixture';

describe('buildLanes', () => {
  it('cuts each connection into its transport states and nests its sockets', () => {
    const lanes = buildLanes(chatLog());
    expect(lanes.map((lane) => lane.sid)).toEqual(['c-upgrade', 'c-timeout', 'c-oversize', 'c-kicked', 'c-open']);
    const upgrade = lanes[0]!;
    expect(upgrade.segments.map((s) => s.state)).toEqual(['polling', 'upgrading', 'websocket']);
    expect(upgrade.transports).toEqual(['polling', 'websocket']);
    expect(upgrade.sockets.map((s) => s.id)).toEqual(['c-upgrade', '/chat#c-upgrade']);
    const chat = upgrade.sockets[1]!;
    expect(chat.markers.map((m) => `${m.kind} ${m.label ?? ''}`.trim())).toEqual(['join general', 'join random', 'leave random', 'close']);
    expect(lanes[2]!.segments.map((s) => s.state)).toEqual(['polling', 'upgrading', 'polling']);
  });

  it('gives each end the explanation replay would print', () => {
    const [upgrade, timeout, oversize, kicked, open] = buildLanes(chatLog());
    expect(upgrade!.ending?.cause).toBe('transport close: websocket closed by the client with code 1001 (going away)');
    expect(timeout!.ending?.cause).toBe('ping timeout: last pong 12:00:29.020, ping sent 12:00:54.000, no pong within pingTimeout 20000 ms');
    expect(timeout!.ending?.abnormal).toBe(true);
    expect(oversize!.ending?.cause).toBe('transport error: message of 2000000 bytes exceeds maxHttpBufferSize 1000000');
    expect(kicked!.sockets[0]!.ending?.cause).toBe('server namespace disconnect: socket.disconnect() called by the application');
    expect(kicked!.ending?.abnormal).toBe(false);
    expect(open!.ending).toBeUndefined();
    expect(open!.end).toBe(NOON + 74_000);
  });

  it('keeps the connections with the latest events, with their sockets, when asked for the latest', () => {
    const lanes = buildLanes(chatLog(), { latest: 2 });
    expect(lanes.map((lane) => lane.sid)).toEqual(['c-upgrade', 'c-timeout']);
    expect(lanes[0]!.sockets[1]!.markers.map((m) => m.kind)).toEqual(['join', 'join', 'leave', 'close']);
    expect(lanes[1]!.ending?.cause).toMatch(/^ping timeout: last pong 12:00:29.020/);
  });

  it('explains every end with the same words as iostate replay --json', () => {
    const events = chatLog();
    const report = replayJson(replay(events));
    const lanes = buildLanes(events);
    for (const connection of report.connections) {
      expect(lanes.find((lane) => lane.sid === connection.id)?.ending?.cause ?? null).toBe(connection.explanation);
    }
    for (const socket of report.sockets) {
      const lane = lanes.flatMap((l) => l.sockets).find((s) => s.id === socket.id && s.nsp === socket.nsp);
      expect(lane?.ending?.cause ?? null).toBe(socket.explanation);
    }
    expect(report.sockets).toHaveLength(6);
  });

  it('draws a connection whose opening fell out of the window from its first event', () => {
    const events = chatLog().filter((event) => event.ts >= NOON + 26_000);
    const lane = buildLanes(events, { sid: 'c-upgrade' });
    expect(lane).toHaveLength(1);
    expect(lane[0]!.openSeen).toBe(false);
    expect(lane[0]!.start).toBe(NOON + 26_000);
    expect(lane[0]!.ending?.reason).toBe('transport close');
  });
});

describe('renderTimelineHtml', () => {
  const html = renderTimelineHtml(chatLog(), { source: 'fixture.jsonl' });

  it('is one self-contained page: nothing is fetched', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<(script|img|link)[^>]+(src|href)="(?!data:)/);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('has a swimlane card per connection with a lane per socket, and the causes', () => {
    for (const sid of ['c-upgrade', 'c-timeout', 'c-oversize', 'c-kicked', 'c-open']) expect(html).toContain(`id="conn-${sid}"`);
    expect(html.match(/class="lanes-card"/g)).toHaveLength(5);
    expect(html).toContain('ping timeout: last pong 12:00:29.020, ping sent 12:00:54.000, no pong within pingTimeout 20000 ms');
    expect(html).toContain('message of 2000000 bytes exceeds maxHttpBufferSize 1000000');
    expect(html).toContain('socket.disconnect() called by the application');
    expect(html).toContain('upgrade to websocket failed: upgrade timeout');
    expect(html).toContain('namespace /admin refused: not authorized');
    expect(html).toContain('>general</text>');
  });

  it('escapes what the log holds', () => {
    const events = chatLog();
    events.push({ seq: 999, ts: NOON + 75_000, node: 'demo', type: 'room.join', socketId: 'c-open', nsp: '/', room: '</script><b>x' });
    const page = renderTimelineHtml(events);
    expect(page).not.toContain('</script><b>x');
    expect(page).toContain('&lt;/script&gt;&lt;b&gt;x');
  });

  it('keeps the latest connections when asked for fewer', () => {
    const page = renderTimelineHtml(chatLog(), { maxConnections: 2 });
    expect(page.match(/class="lanes-card"/g)).toHaveLength(2);
    expect(page).toContain('3 older connections have no card (the latest 2 do)');
    expect(page).toContain('id="conn-c-open"');
    // The overview and the chart still have all five.
    expect(page.match(/class="ov-row"/g)).toHaveLength(5);
    expect(page).toContain('<span id="shown">5</span> connections shown, <span id="cards-shown">2</span> cards');
  });
});

/**
 * The timeline at incident scale in a real browser (Debian's chromium,
 * headless, driven by playwright-core): 12,000 connections on three nodes
 * with a ping-timeout storm on one of them. The chart of ends by reason, its
 * zoom to a window, and the filter (text, abnormal ends, window) that the
 * overview obeys as well as the cards. Saves screenshots under
 * $IOSTATE_TEST_OUTPUT (default: a temporary directory, printed).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, skipWithoutChromium } from '../browser/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLanes, type ConnectionLane } from '../../src/inspect/lanes';
import { renderTimelineHtml } from '../../src/inspect/timeline';
import { incidentLog, STORM } from './incident-log';
import { Server } from '../../src/actors/server';
import { io as connectClient } from 'socket.io-client';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const output = process.env.IOSTATE_TEST_OUTPUT ?? path.join(tmpdir(), 'iostate-test-output');
const CONNECTIONS = 12_000;

/** Overview rows and cards the page shows now. */
async function visible(page: Page): Promise<{ shown: number; rows: number; cards: number; heads: string[]; height: number }> {
  return page.evaluate(`(() => {
    const rows = [...document.querySelectorAll('svg.overview .ov-row')].filter((row) => row.style.display !== 'none').length;
    const cards = [...document.querySelectorAll('.lanes-card')].filter((card) => card.style.display !== 'none').length;
    const heads = [...document.querySelectorAll('svg.overview .ov-head')].filter((h) => h.style.display !== 'none').map((h) => h.getAttribute('data-node'));
    const height = Number(document.querySelector('svg.overview').getAttribute('viewBox').split(' ')[3]);
    return { shown: Number(document.getElementById('shown').textContent), rows, cards, heads, height };
  })()`);
}

describe.skipIf(skipWithoutChromium('TIMELINE BROWSER TEST'))('the timeline of 12,000 connections in headless Chromium', () => {
  let browser: Browser;
  let scratch: string;
  let lanes: ConnectionLane[];
  let file: string;

  beforeAll(async () => {
    mkdirSync(output, { recursive: true });
    scratch = mkdtempSync(path.join(tmpdir(), 'iostate-timeline-'));
    const events = incidentLog(CONNECTIONS);
    lanes = buildLanes(events);
    file = path.join(scratch, 'incident.html');
    const started = performance.now();
    const html = renderTimelineHtml(events, { source: 'incident-log.ts' });
    console.log(
      `timeline of ${events.length} events, ${lanes.length} connections: ${(performance.now() - started).toFixed(0)} ms, ${(html.length / 1e6).toFixed(1)} MB`,
    );
    writeFileSync(file, html);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('charts the ends by reason, zooms to the storm, and the overview obeys the filter and the window', async () => {
    expect(lanes).toHaveLength(CONNECTIONS);
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const loading = performance.now();
    await page.goto(`file://${file}`, { timeout: 120_000 });
    console.log(`page loaded in ${(performance.now() - loading).toFixed(0)} ms`);

    // Every connection is in the overview, grouped by node; the cards are the latest 500.
    let seen = await visible(page);
    expect(seen.shown).toBe(CONNECTIONS);
    expect(seen.rows).toBe(CONNECTIONS);
    expect(seen.cards).toBe(500);
    const fullHeight = seen.height;

    // The chart: 60 bars over the hour, a legend with every end counted.
    expect(await page.locator('#ends-svg g.ends-bar').count()).toBe(60);
    const legend = await page.locator('#ends-legend').textContent();
    const ended = lanes.filter((lane) => lane.ending);
    const timeouts = ended.filter((lane) => lane.ending!.reason === 'ping timeout').length;
    expect(legend).toContain(`ping timeout ${timeouts}`);
    expect(legend).toContain('transport close, no close frame (1006)');
    expect(legend).toContain(`lost ${ended.filter((lane) => lane.ending!.reason === 'lost').length}`);
    expect(await page.locator('#ends-total').textContent()).toBe(`${ended.length} ends`);

    // The filter reaches the overview: abnormal ends only, then one node's connections.
    let started = performance.now();
    await page.check('#abnormal');
    console.log(`abnormal filter over ${CONNECTIONS} rows: ${(performance.now() - started).toFixed(0)} ms`);
    seen = await visible(page);
    const abnormal = lanes.filter((lane) => lane.ending?.abnormal).length;
    expect(seen.shown).toBe(abnormal);
    expect(seen.rows).toBe(abnormal);
    expect(seen.height).toBeLessThan(fullHeight);
    await page.uncheck('#abnormal');
    await page.fill('#filter', 'edge-b');
    seen = await visible(page);
    expect(seen.rows).toBe(lanes.filter((lane) => lane.node === 'edge-b').length);
    expect(seen.heads).toEqual(['edge-b']);
    // A label (eventLog.label): the highest one, which no other contains.
    await page.fill('#filter', 'user:996');
    expect((await visible(page)).rows).toBe(lanes.filter((lane) => lane.label === 'user:996').length);
    await page.fill('#filter', '');

    // Zoom: drag across the chart from a minute before the storm to a minute after it.
    const box = (await page.locator('#ends-svg').boundingBox())!;
    const whole = { from: lanes.reduce((m, l) => Math.min(m, l.start), Infinity), to: lanes.reduce((m, l) => Math.max(m, l.end), -Infinity) };
    const xOf = (t: number) => box.x + ((40 + ((t - whole.from) / (whole.to - whole.from)) * 910) / 960) * box.width;
    started = performance.now();
    await page.mouse.move(xOf(STORM.from - 60_000), box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(xOf(STORM.to + 60_000), box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    console.log(`zoom over ${CONNECTIONS} rows: ${(performance.now() - started).toFixed(0)} ms`);
    const window = (await page.evaluate(
      `({ from: Number(document.getElementById('ends-window').getAttribute('data-from')), to: Number(document.getElementById('ends-window').getAttribute('data-to')), text: document.getElementById('ends-window').textContent })`,
    )) as { from: number; to: number; text: string };
    expect(window.text).toMatch(/^window: 12:2\d:\d\d\.\d{3} → 12:3\d:\d\d\.\d{3}$/);
    expect(window.from).toBeLessThan(STORM.from);
    expect(window.to).toBeGreaterThan(STORM.to);
    const during = lanes.filter((lane) => lane.end >= window.from && lane.start <= window.to);
    seen = await visible(page);
    expect(seen.rows).toBe(during.length);
    expect(seen.shown).toBe(during.length);
    // The chart redrawn for the window: the storm's ping timeouts fill it.
    const stormTimeouts = ended.filter(
      (lane) => lane.ending!.reason === 'ping timeout' && lane.ending!.at >= window.from && lane.ending!.at <= window.to,
    ).length;
    expect(await page.locator('#ends-legend').textContent()).toContain(`ping timeout ${stormTimeouts}`);
    expect(stormTimeouts).toBeGreaterThan(500);
    // And the filter still combines with it: the storm's node, abnormal ends.
    await page.fill('#filter', 'edge-b');
    await page.check('#abnormal');
    expect((await visible(page)).rows).toBe(during.filter((lane) => lane.node === 'edge-b' && lane.ending?.abnormal).length);
    const shot = path.join(output, 'timeline-incident.png');
    await page.screenshot({ path: shot, clip: { x: 0, y: 0, width: 1280, height: 1400 }, fullPage: true });
    console.log(`incident timeline screenshot: ${shot}`);

    await page.click('#ends-reset');
    await page.fill('#filter', '');
    await page.uncheck('#abnormal');
    seen = await visible(page);
    expect(seen.rows).toBe(CONNECTIONS);
    expect(seen.height).toBe(fullHeight);
    expect(await page.locator('#ends-window').textContent()).toMatch(/^whole log: /);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('draws the chart on the live /timeline page under its Content-Security-Policy', async () => {
    const server = http.createServer();
    const io = new Server(server, { inspector: { auth: () => true } });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const page = await browser.newPage();
    const client = connectClient(url, { forceNew: true, reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('connect_error', reject);
      });
      client.disconnect();
      await new Promise<void>((resolve) => {
        const check = () => (io.log.events().some((e) => e.type === 'conn.close') ? resolve() : setTimeout(check, 20));
        check();
      });
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      const response = await page.goto(`${url}/iostate/timeline`);
      expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
      expect(await page.locator('#ends-svg g.ends-bar').count()).toBe(60);
      expect(await page.locator('#ends-legend').textContent()).toMatch(/client namespace disconnect 1|transport close 1/);
      await page.check('#abnormal');
      expect(await page.locator('#shown').textContent()).toBe('0');
      expect(problems).toEqual([]);
    } finally {
      await page.close();
      client.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    }
  });
});

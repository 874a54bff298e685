/**
 * The pictures in a real browser (Debian's chromium, headless, driven by
 * playwright-core): the live inspector of the demo chat with two chat tabs
 * open, and an offline timeline file. Checks the rendered swimlanes and
 * tables, and saves screenshots under $IOSTATE_TEST_OUTPUT (default: a
 * temporary directory, printed) for a person to look at.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium, skipWithoutChromium } from '../browser/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type DemoServer } from '../../src/cli/serve';
import { createInspectorHandler } from '../../src/inspect/http-endpoint';
import { renderTimelineHtml } from '../../src/inspect/timeline';
import { EventLog } from '../../src/log/event-log';
import { chatLog, recordIdleSocket } from './fixture';
import { RAW_UNSAFE, hostileVisit, startHostileServer } from '../cli/hostile-client';

const output = process.env.IOSTATE_TEST_OUTPUT ?? path.join(tmpdir(), 'iostate-test-output');

describe.skipIf(skipWithoutChromium('INSPECTOR BROWSER TEST'))('inspector pictures in headless Chromium', () => {
  let browser: Browser;
  let demo: DemoServer | undefined;
  let scratch: string;

  beforeAll(async () => {
    mkdirSync(output, { recursive: true });
    scratch = mkdtempSync(path.join(tmpdir(), 'iostate-browser-'));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('draws the live inspector: swimlanes, tables, recent closes and statecharts', async () => {
    // Fast heartbeats so the silent tab times out soon, with room for the other tabs on a loaded machine.
    demo = await startDemo({ port: 0, host: '127.0.0.1', pingInterval: 300, pingTimeout: 1000 });
    const base = demo.url.replace('localhost', '127.0.0.1');
    const errors: string[] = [];
    // bypassCSP: the test's probes are page expressions given as strings, which the inspector's policy forbids.
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, bypassCSP: true });
    context.on('weberror', (error) => errors.push(error.error().message));
    const alice = await context.newPage();
    const bob = await context.newPage();
    for (const page of [alice, bob]) {
      await page.goto(`${base}/`);
      await page.waitForFunction(`document.getElementById('status').textContent.startsWith('connected')`);
    }
    await bob.fill('#room', 'team');
    await bob.click('#new-room button');
    await bob.fill('#text', 'hello');
    await bob.click('#say button');
    await alice.waitForFunction(`/team\\s*1 here/.test(document.getElementById('rooms').textContent)`);
    await alice.click('#kick');
    const carol = await context.newPage();
    await carol.goto(`${base}/`);
    await carol.waitForFunction(`document.getElementById('status').textContent.startsWith('connected')`);
    await carol.click('#silent');

    const inspector = await context.newPage();
    await inspector.goto(`${base}/iostate/`);
    // Page expressions as strings: this project compiles without the DOM library.
    await inspector.waitForFunction(`document.getElementById('dot').className.includes('live')`);
    await inspector.waitForFunction(`document.querySelectorAll('#lanes .lanes-card').length >= 2`);
    // Wait for the silent tab's ping timeout itself: on a loaded machine other closes can fill three rows first.
    await inspector.waitForFunction(
      `document.querySelectorAll('#closed tr').length >= 3 && document.getElementById('closed').textContent.includes('ping timeout')`,
      undefined,
      { timeout: 10_000 },
    );

    const cards = await inspector.$$eval('#lanes .lanes-card', (nodes) =>
      nodes.map((node) => ({ segments: node.querySelectorAll('rect[fill]').length, text: node.textContent ?? '' })),
    );
    expect(cards.every((card) => card.segments >= 2)).toBe(true);
    expect(cards.some((card) => card.text.includes('socket.disconnect() called by the application'))).toBe(true);
    expect(await inspector.textContent('#rooms')).toContain('team');
    // header, bob, and carol's socket after its client reconnected by itself
    expect(await inspector.locator('#sockets tr').count()).toBeGreaterThanOrEqual(2);
    expect(await inspector.textContent('#closed')).toContain('forced close');
    // The silent tab: the server's own pings went unanswered, and the page says so.
    expect(await inspector.textContent('#closed')).toMatch(
      /ping timeout: (last pong|no pong since the connection opened at) \d\d:\d\d:\d\d\.\d{3}, ping sent \d\d:\d\d:\d\d\.\d{3}, no pong within pingTimeout 1000 ms/,
    );
    expect(await inspector.locator('svg.statechart').count()).toBe(3);
    // The swimlanes fit the page: nothing wider than the viewport.
    expect(await inspector.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1400);

    const shot = path.join(output, 'inspector-live.png');
    await inspector.screenshot({ path: shot, fullPage: true });
    console.log(`inspector screenshot: ${shot}`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('stays responsive with 10,000 sockets: virtual tables, aggregated events, patches instead of snapshots', async () => {
    const log = new EventLog({ node: 'synthetic' });
    const connectSocket = (i: number) => recordIdleSocket(log, i, `room-${i % 20}`);
    for (let i = 0; i < 10_000; i++) connectSocket(i);
    const inspector = createInspectorHandler({ log, nsps: new Map() }, { auth: () => true, stream: { interval: 250 } });
    let snapshots = 0;
    const server = http.createServer((req, res) => {
      if (req.url?.includes('/snapshot')) snapshots++;
      inspector(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // bypassCSP: the test's own probes are evaluated as strings, which the page's policy forbids.
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, bypassCSP: true });
    try {
      const started = Date.now();
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/iostate/`);
      await page.waitForFunction(`document.getElementById('sockets-count').textContent === '10000'`);
      await page.waitForFunction(`document.querySelectorAll('#lanes .lanes-card').length === 8`);
      const loaded = Date.now() - started;
      // 5,000 more connections while the page watches: it gets a few batches, not 20,000 messages.
      let batches = 0;
      page.on('console', (message) => message.text() === 'batch' && batches++);
      await page.evaluate(`new EventSource('events').addEventListener('batch', () => console.log('batch'))`);
      for (let burst = 0; burst < 5; burst++) {
        for (let i = 0; i < 1000; i++) connectSocket(10_000 + burst * 1000 + i);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await page.waitForFunction(`document.getElementById('sockets-count').textContent === '15000'`, undefined, { timeout: 10_000 });
      const probe = Date.now();
      await page.evaluate('1 + 1');
      const responsive = Date.now() - probe;
      console.log(`10,000 sockets: page ready in ${loaded} ms; 20,000 more events arrived as ${batches} batches; page answered in ${responsive} ms`);
      expect(batches).toBeLessThan(20);
      // The virtual table draws the rows in view, not 15,000; scrolling to the end shows the last socket.
      expect(await page.locator('#sockets tr').count()).toBeLessThan(80);
      await page.evaluate(`document.getElementById('sockets').scrollTop = 1e9`);
      await page.waitForFunction(`document.getElementById('sockets').textContent.includes('sid-14999')`);
      // Finding one socket among 15,000 runs on the page's own copy of the model.
      await page.fill('#filter', 'sid-12345');
      await page.waitForFunction(`document.getElementById('sockets-count').textContent === '1'`);
      expect(await page.textContent('#sockets')).toContain('sid-12345');
      await page.fill('#filter', '');
      await page.waitForFunction(`document.getElementById('sockets-count').textContent === '15000'`);
      expect(await page.textContent('#rooms-count')).toBe('20');
      expect(snapshots).toBe(0);
      // The feed keeps the latest 60 events, newest first, as batches add rows on top.
      const feedTimes = await page.$$eval('#feed .t', (cells) => cells.map((cell) => cell.textContent ?? ''));
      expect(feedTimes).toHaveLength(60);
      expect(feedTimes).toEqual([...feedTimes].sort().reverse());
      const shot = path.join(output, 'inspector-10k.png');
      await page.screenshot({ path: shot });
      console.log(`10k screenshot: ${shot}`);
    } finally {
      await page.close();
      inspector.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('shows names, rooms and close reasons a client chose as text: no markup runs, controls show as escapes', async () => {
    const target = await startHostileServer();
    // bypassCSP: escaping alone must hold, without the page's policy (which also lets the probes run).
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, bypassCSP: true });
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    try {
      await hostileVisit(target);
      await hostileVisit(target, true);
      await page.goto(`${target.url}/iostate/`);
      await page.waitForFunction(`document.querySelectorAll('#lanes .lanes-card').length === 2 && document.querySelectorAll('#closed tr').length === 2`);
      await page.waitForFunction(`document.getElementById('feed').textContent.includes('conn.close')`);
      const shown = (id: string) => page.textContent(`#${id}`).then((text) => text ?? '');
      expect(await shown('namespaces')).toContain('/<img src=x onerror=alert(1)>\\x1b[31m');
      expect(await shown('sockets')).toContain('label /<img src=x onerror=alert(1)>\\x1b[31m');
      expect(await shown('rooms')).toContain('</script><img src=x onerror=alert(2)>\\x9b2J\\u2066');
      expect(await shown('closed')).toContain('reason "\\x1b[2J\\x1b]0;owned\\x07');
      expect(await shown('lanes')).toContain('no entry to /\\x1b]8;;http://evil.example\\x07<svg onload=alert(3)>');
      for (const id of ['namespaces', 'rooms', 'sockets', 'connections', 'closed', 'feed', 'lanes']) expect(await shown(id), id).not.toMatch(RAW_UNSAFE);
      expect(await page.evaluate(`document.querySelectorAll('img, script:not(body > script), [onerror], [onload]').length`)).toBe(0);
      expect(dialogs).toEqual([]);
    } finally {
      await page.close();
      await target.close();
    }
  });

  it('draws an offline timeline file with every swimlane and cause', async () => {
    const file = path.join(scratch, 'timeline.html');
    writeFileSync(file, renderTimelineHtml(chatLog(), { source: 'fixture' }));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url()));
    await page.goto(`file://${file}`);
    const lanes = await page.$$eval('.lanes-card', (nodes) =>
      nodes.map((node) => ({
        sid: node.getAttribute('data-sid'),
        rows: node.querySelectorAll('svg > text').length,
        height: node.querySelector('svg')!.getBoundingClientRect().height,
      })),
    );
    expect(lanes.map((lane) => lane.sid)).toEqual(['c-upgrade', 'c-timeout', 'c-oversize', 'c-kicked', 'c-open']);
    expect(lanes.every((lane) => lane.height > 40)).toBe(true);
    expect(await page.textContent('#conn-c-timeout .causes')).toContain('no pong within pingTimeout 20000 ms');

    await page.check('#abnormal');
    expect(await page.textContent('#shown')).toBe('2');
    await page.uncheck('#abnormal');
    await page.fill('#filter', 'general');
    expect(await page.textContent('#shown')).toBe('1');
    await page.fill('#filter', '');

    const shot = path.join(output, 'timeline-offline.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`timeline screenshot: ${shot}`);
    expect(failed).toEqual([]);
    await page.close();
  });
});

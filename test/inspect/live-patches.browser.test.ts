/**
 * The live page follows real clients by patches alone: with the inspector
 * open in headless Chromium, socket.io-client 4.x and 2.x connections come,
 * join rooms (one with a hostile name), leave and go, and the page shows
 * each change without a single snapshot request and on one event stream.
 */
import type { Browser, Page } from 'playwright-core';
import { launchChromium, skipWithoutChromium } from '../browser/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLive } from './live';

const HOSTILE_ROOM = '<img src=x onerror=alert(1)>\u202e\u001b[2J';

describe.skipIf(skipWithoutChromium('LIVE PATCHES BROWSER TEST'))('live inspector patches in headless Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** Waits until the page's element `id` holds `text` (or, with `absent`, no longer does). */
  // Page expressions as strings: this project compiles without the DOM library.
  const shows = (page: Page, id: string, text: string, absent = false) =>
    page.waitForFunction(`document.getElementById(${JSON.stringify(id)}).textContent.includes(${JSON.stringify(text)}) !== ${absent}`, undefined, {
      timeout: 10_000,
    });
  const holds = (page: Page, expression: string) => page.waitForFunction(expression, undefined, { timeout: 10_000 });

  it('shows sockets, rooms and closes as clients come and go, without refetching', async () => {
    const live = await startLive({ auth: () => true });
    live.io.on('connection', (socket) => {
      socket.on('join', (room: string) => socket.join(room));
      socket.on('leave', (room: string) => socket.leave(room));
    });
    // bypassCSP: the probes below are page functions, which the inspector's policy forbids.
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, bypassCSP: true });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(new URL(request.url()).pathname));
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    try {
      await page.goto(`${live.url}/iostate/`);
      await holds(page, `document.getElementById('dot').className.includes('live')`);
      await holds(page, `document.getElementById('sockets-count').textContent === '0'`);

      const first = await live.clientV4();
      const second = await live.clientV4();
      const old = await live.clientV2();
      for (const id of [first.id!, second.id!, old.id]) await shows(page, 'sockets', id);
      await shows(page, 'connections', old.io.engine.id);
      await holds(page, `document.getElementById('n-sockets').textContent === '3'`);

      first.emit('join', 'lobby');
      second.emit('join', 'lobby');
      second.emit('join', HOSTILE_ROOM);
      await holds(page, `/lobby\\s*2/.test(document.getElementById('rooms').textContent)`);
      await shows(page, 'rooms', '<img src=x onerror=alert(1)>\\u202e\\x1b[2J');
      await shows(page, 'sockets', 'lobby');

      second.emit('leave', 'lobby');
      await holds(page, `/lobby\\s*1/.test(document.getElementById('rooms').textContent)`);
      const closedSid = second.io.engine.id;
      second.close();
      await shows(page, 'sockets', second.id!, true);
      await shows(page, 'rooms', 'onerror', true);
      await shows(page, 'closed', closedSid);
      old.close();
      await shows(page, 'sockets', old.id, true);
      await holds(page, `document.getElementById('n-sockets').textContent === '1' && document.getElementById('n-connections').textContent === '1'`);

      // A newcomer after all that still appears: the page's copy kept in step.
      const late = await live.clientV4('/');
      await shows(page, 'sockets', late.id!);

      expect(requests.filter((path) => path.endsWith('/snapshot'))).toEqual([]);
      expect(requests.filter((path) => path.endsWith('/events'))).toHaveLength(1);
      expect(await page.evaluate(`document.querySelectorAll('img, [onerror]').length`)).toBe(0);
      expect(dialogs).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

/**
 * Headless Chromium for the browser tests: where it is, whether a suite may
 * skip without it (never in CI, which sets IOSTATE_REQUIRE_CHROMIUM=1 and
 * installs it), and one way to launch it.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumPresent = existsSync(CHROMIUM);
export const chromiumRequired = process.env.IOSTATE_REQUIRE_CHROMIUM === '1';

/** Whether `suite` must skip (Chromium missing, and not required); says so loudly when it does. */
export function skipWithoutChromium(suite: string): boolean {
  const skip = !chromiumPresent && !chromiumRequired;
  if (skip) {
    console.warn(
      `\n*** ${suite} SKIPPED: ${CHROMIUM} not found. Install it with \`apt-get install -y chromium\` (CI sets IOSTATE_REQUIRE_CHROMIUM=1, where this fails instead). ***\n`,
    );
  }
  return skip;
}

/** A headless Chromium without the background traffic that would slow a loaded machine. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

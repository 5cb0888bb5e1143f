import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium): playwright-core drives it, no browser is downloaded. */
export const CHROMIUM_BINARY = process.env.CHROMIUM_BINARY ?? '/usr/bin/chromium';
const CHROMIUM_INSTALLED = existsSync(CHROMIUM_BINARY);

/** Quiet, offline-friendly flags: no sandbox (CI runs as root), no GPU, no background traffic to Google. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * `describe` where Chromium is installed; elsewhere the block's tests are registered as skipped (their hooks do not
 * run) and its name says why.
 */
export function describeWithChromium(name: string, body: () => void): void {
  const register = CHROMIUM_INSTALLED ? describe : describe.skip;
  register(
    CHROMIUM_INSTALLED
      ? name
      : `${name} [skipped: no Chromium at ${CHROMIUM_BINARY} (Debian: apt-get install chromium)]`,
    body,
  );
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh profile of its own, removed on close. */
export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_BINARY,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  // A step that cannot happen fails with its selector well before the test's own timeout.
  context.setDefaultTimeout(15_000);
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

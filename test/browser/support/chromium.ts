import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

/** Debian's Chromium package: the browser tests drive the system browser and never download one. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for a quiet, reproducible headless run: no GPU, no QUIC, and none of the browser's own background traffic
 * (component updates, sync, first-run pings), so the network log holds only what the pages asked for.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** The widths every page is checked at: the narrowest phone the pages support, and a desktop. */
export const VIEWPORTS = {
  narrow: { width: 320, height: 640 },
  wide: { width: 1280, height: 900 },
} as const;

export interface RunningBrowser {
  readonly browser: Browser;
  /** A fresh, isolated context (its own cookies and storage); closed with the browser. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Starts Chromium on a fresh profile directory (removed on close). Fails, never skips, when the browser is not
 * installed: the browser tests are part of the suite (`.ci/run` installs the `chromium` package).
 */
export async function launchChromium(): Promise<RunningBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}: install Debian's package (apt-get install -y chromium) to run the browser tests`);
  }
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'rp-chromium-'));
  let persistent: BrowserContext;
  try {
    // Playwright takes the profile directory as a parameter of a persistent context, not as `--user-data-dir`.
    persistent = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] });
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  const browser = persistent.browser();
  if (!browser) throw new Error('Chromium started without a browser handle');
  let closing: Promise<void> | undefined;
  return {
    browser,
    newContext: (options) => browser.newContext(options),
    close: () =>
      (closing ??= (async () => {
        for (const context of browser.contexts()) await context.close().catch(() => undefined);
        await persistent.close().catch(() => undefined);
        await browser.close().catch(() => undefined);
        rmSync(userDataDir, { recursive: true, force: true });
      })()),
  };
}

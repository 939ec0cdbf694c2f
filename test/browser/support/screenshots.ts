import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';

/** Where the browser tests write screenshots, for a person to look at (ignored by git). */
export const SCREENSHOT_DIR = path.resolve(__dirname, '..', '..', '..', 'test-results', 'screenshots');

let announced = false;

/** A full-page PNG named `<name>.png` in `SCREENSHOT_DIR`; the folder is printed once per test file. */
export async function screenshot(page: Page, name: string): Promise<string> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`Screenshot name "${name}" must be lower-case letters, digits and hyphens`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  if (!announced) {
    announced = true;
    process.stdout.write(`Browser test screenshots: ${SCREENSHOT_DIR}\n`);
  }
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * What the stack needs to package the synthetic sign-in check as a CloudWatch Synthetics canary: the entry point
 * to bundle, the file and handler names the runtime loads, and the environment the script reads. Not imported by
 * the script itself (it uses `__dirname`, which the bundled ES module has not).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export { DEFAULT_SIGN_IN_CHECK_TIMEOUT_MS, SIGN_IN_CHECK_ENV, signInCheckEnvironment } from './settings';

/**
 * `lambda/canary/index.ts`: from the sources, beside this file; from the installed library's compiled
 * `dist/lambda/canary/`, the package's own `lambda/` sources (which it ships, as it does the handlers').
 */
export const SIGN_IN_CHECK_ENTRY =
  [path.join(__dirname, 'index.ts'), path.resolve(__dirname, '..', '..', '..', 'lambda', 'canary', 'index.ts')].find((file) => existsSync(file)) ??
  path.join(__dirname, 'index.ts');

/**
 * The bundle's file name at the root of the canary's code: an ES module (`.mjs`), which the Playwright runtimes load
 * from the root (`syn-nodejs-puppeteer` before 11.0 wants `nodejs/node_modules/` instead).
 */
export const SIGN_IN_CHECK_BUNDLE_FILE = 'index.mjs';

/** The canary's `handler`: the bundle's `handler` export. */
export const SIGN_IN_CHECK_HANDLER = 'index.handler';

/**
 * The Synthetics runtime the script is written for: Node.js 22 with a global `fetch`; the browser it also offers
 * is never started.
 */
export const SIGN_IN_CHECK_RUNTIME = 'syn-nodejs-playwright-6.0';

/** esbuild options for the bundle (to `<dir>/index.mjs`); it has no dependency beyond Node itself. */
export const SIGN_IN_CHECK_BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: false,
  sourcemap: false,
} as const;

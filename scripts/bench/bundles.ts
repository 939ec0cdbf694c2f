/**
 * Bundles every function's entry point and the floor with the esbuild options `RelyingPartyFunction` gives CDK
 * (`FUNCTION_BUILD_OPTIONS`), and sizes them.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, stop } from 'esbuild';
import { FUNCTION_NAMES, HANDLERS_DIR } from '../../lib/function-table';
import { FUNCTION_BUILD_OPTIONS } from '../../lib/relying-party-function';
import type { Row } from './report';
import { bytes, ratio } from './stats';

export const FLOOR = 'floor';

export interface Bundle {
  readonly name: string;
  /** The bundle (`index.mjs`), as Lambda would load it. */
  readonly file: string;
  readonly bytes: number;
  /** gzip -9 of the bundle: roughly what the deployment package carries. */
  readonly gzipBytes: number;
}

async function bundleOne(name: string, entry: string, outDir: string): Promise<Bundle> {
  const file = path.join(outDir, name, 'index.mjs');
  await build({
    ...FUNCTION_BUILD_OPTIONS,
    mainFields: [...FUNCTION_BUILD_OPTIONS.mainFields],
    external: [...FUNCTION_BUILD_OPTIONS.external],
    entryPoints: [entry],
    outfile: file,
    logLevel: 'warning',
  });
  const code = readFileSync(file);
  return { name, file, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

/** Every function of the table (table order) and the floor, bundled into `outDir`. */
export async function bundleAll(outDir: string): Promise<{ readonly functions: Bundle[]; readonly floor: Bundle }> {
  const floor = await bundleOne(FLOOR, path.join(__dirname, 'floor-handler.ts'), outDir);
  const functions: Bundle[] = [];
  for (const name of FUNCTION_NAMES) functions.push(await bundleOne(name, path.join(HANDLERS_DIR, `${name}.ts`), outDir));
  // esbuild's service process is not needed past this point.
  await stop();
  return { functions, floor };
}

export function bundleRows(functions: readonly Bundle[], floor: Bundle): Row[] {
  return functions.map((b) => ({
    measure: 'bundle size',
    subject: b.name,
    value: `${bytes(b.bytes)} (gzip ${bytes(b.gzipBytes)})`,
    baseline: `floor: ${bytes(floor.bytes)} (gzip ${bytes(floor.gzipBytes)})`,
    ratio: `${ratio(b.bytes, floor.bytes)} (gzip ${ratio(b.gzipBytes, floor.gzipBytes)})`,
  }));
}

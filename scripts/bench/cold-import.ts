/**
 * Cold import: a fresh `node` per sample that does nothing but `import()` one bundle, with no `NODE_OPTIONS` (the
 * functions run without source maps: see `RelyingPartyFunction`). Function and floor alternate within each round,
 * so drift in the machine's load hits both alike.
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { Bundle } from './bundles';
import type { Lifetime } from './lifetime';
import type { Row } from './report';
import { ms, ratio, summarize, type Summary } from './stats';

/** Prints how long the import took, in milliseconds, measured inside the fresh process. */
const PROBE = 'const t0 = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t0));';

function importOnce(bundle: Bundle): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', PROBE, pathToFileURL(bundle.file).href], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
      timeout: 30_000,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const value = Number(out);
      if (code === 0 && Number.isFinite(value)) resolve(value);
      else reject(new Error(`importing ${bundle.name} failed (exit ${code}): ${err.trim().slice(0, 500)}`));
    });
  });
}

export interface ColdImport {
  readonly name: string;
  readonly fn: Summary;
  readonly floor: Summary;
}

export async function measureColdImports(functions: readonly Bundle[], floor: Bundle, rounds: number, life: Lifetime): Promise<ColdImport[]> {
  const samples = new Map<string, { fn: number[]; floor: number[] }>(functions.map((f) => [f.name, { fn: [], floor: [] }]));
  // One import of each first: the OS file cache is then warm for every bundle, as Lambda's would be after download.
  for (const b of [floor, ...functions]) await importOnce(b);
  for (let round = 0; round < rounds; round++) {
    life.check(`cold import round ${round + 1}`);
    for (const f of functions) {
      const s = samples.get(f.name);
      if (!s) continue;
      // Alternate which goes first, so neither always follows the other.
      if (round % 2 === 0) {
        s.fn.push(await importOnce(f));
        s.floor.push(await importOnce(floor));
      } else {
        s.floor.push(await importOnce(floor));
        s.fn.push(await importOnce(f));
      }
    }
  }
  return functions.map((f) => {
    const s = samples.get(f.name) ?? { fn: [], floor: [] };
    return { name: f.name, fn: summarize(s.fn), floor: summarize(s.floor) };
  });
}

const spread = (s: Summary) => `median ${ms(s.p50)} (IQR ${ms(s.p25)}–${ms(s.p75)}, min–max ${ms(s.min)}–${ms(s.max)}, n=${s.n})`;

export function coldImportRows(results: readonly ColdImport[]): Row[] {
  return results.map((r) => ({
    measure: 'cold import',
    subject: r.name,
    value: spread(r.fn),
    baseline: `floor: ${spread(r.floor)}`,
    ratio: ratio(r.fn.p50, r.floor.p50),
  }));
}

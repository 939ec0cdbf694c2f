/**
 * `npm run bench`: how the relying party performs on this machine, each figure a ratio against a baseline measured
 * in the same run (the absolute values beside it). Loopback only; bounded to a few minutes; every process and
 * server it starts is stopped at the end, also on failure, on Ctrl-C and when the time budget runs out.
 *
 * 1. bundle size per function vs a floor bundle (GetItem only), same esbuild options;
 * 2. cold import per function vs the floor, fresh `node` processes, alternating;
 * 3. warm authorizer vs a bare GetItem on moto;
 * 4. full local sign-in vs the sum of its unavoidable calls;
 * 5. requests/s and p99 of `/api/me` and `/auth/session` under autocannon vs a trivial server (and a bare-GetItem one);
 * 6. KMS Sign calls (assertion key) per 1,000 requests to an HTTP mount, for 1 and 20 sessions.
 *
 * Not part of `npm test`: timings depend on the machine. See README, "Performance".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SESSION_COOKIE } from '../lambda/core/cookies';
import { assertionRows, measureAssertionSigns } from './bench/assertions';
import { authorizerRows, measureWarmAuthorizer } from './bench/authorizer';
import { bundleAll, bundleRows } from './bench/bundles';
import { coldImportRows, measureColdImports } from './bench/cold-import';
import { Lifetime } from './bench/lifetime';
import { loadRows, measureLoad } from './bench/load';
import { startProbedStack } from './bench/local-stack';
import { machine, markdownTable, type Row } from './bench/report';
import { measureSignIns, signInRows } from './bench/sign-in';

/**
 * The whole run must end within this: a phase that would start later fails the run, which still prints the rows
 * measured so far (and stops everything).
 */
const BUDGET_MS = 270_000;
const COLD_IMPORT_ROUNDS = 15;

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

const rows: Row[] = [];

const printTable = () => process.stdout.write(`${machine()}\n\n${markdownTable(rows)}\n`);

async function main(life: Lifetime): Promise<void> {
  const outDir = life.own('bundle directory', mkdtempSync(path.join(tmpdir(), 'rp-bench-')), async (dir) => rmSync(dir, { recursive: true, force: true }));

  log('bundling every function of the table and the floor');
  const { functions, floor } = await bundleAll(outDir);
  rows.push(...bundleRows(functions, floor));

  log(`cold imports: ${COLD_IMPORT_ROUNDS} rounds, function and floor alternating`);
  rows.push(...coldImportRows(await measureColdImports(functions, floor, COLD_IMPORT_ROUNDS, life)));

  log('warm authorizer vs a bare GetItem on moto');
  rows.push(...authorizerRows(await measureWarmAuthorizer(life, { warmup: 50, samples: 500 })));

  log('starting the local stack');
  const probed = await startProbedStack(life);
  log('full local sign-ins');
  rows.push(...signInRows(await measureSignIns(probed, life, { warmup: 3, samples: 40 })));

  log('load with autocannon (4 × 15 s)');
  const { sessionId } = await probed.signIn();
  const getItem = () => probed.readSession(sessionId);
  rows.push(...loadRows(await measureLoad({ port: probed.stack.port, cookie: `${SESSION_COOKIE}=${sessionId}`, getItem }, life)));

  log('KMS Sign calls per 1,000 mount requests');
  rows.push(...assertionRows(await measureAssertionSigns(probed, life)));
  printTable();
}

const life = new Lifetime(BUDGET_MS);
let stopping: Promise<void> | undefined;
const finish = (code: number) => {
  stopping ??= life.stopAll().finally(() => {
    log(`done in ${(life.elapsedMs() / 1000).toFixed(1)} s`);
    process.exit(code);
  });
  return stopping;
};
// `on`, not `once`: a second signal (tsx forwards the first to this process again) must not cut the clean-up short.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!stopping) log(`${signal}: stopping everything`);
    void finish(130);
  });
}
// A hard stop past the budget, whatever a phase is waiting on.
const watchdog = setTimeout(() => {
  log(`still running after ${(BUDGET_MS + 30_000) / 1000} s: stopping everything`);
  void finish(1);
}, BUDGET_MS + 30_000);
watchdog.unref();

main(life).then(
  () => finish(0),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    if (rows.length > 0) {
      log('the rows measured before the failure:');
      printTable();
    }
    return finish(1);
  },
);

/**
 * Synthesizes every deployable stage with the real CLI (bundling, CloudFormation validation, cdk-nag and the
 * residency rules all on), each into `cdk.out.<stage>/`, then scans each assembly with the residency checker.
 * Any failure fails the run. `npm test` ends with this.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { DEPLOYABLE_STAGES } from '../config';

const root = path.resolve(__dirname, '..');
const checker = path.join(root, 'bin', 'check-residency.ts');
let failed = 0;

for (const stage of DEPLOYABLE_STAGES) {
  const out = `cdk.out.${stage}`;
  const started = Date.now();
  const synth = spawnSync('npx', ['cdk', 'synth', '--quiet', '-c', `stage=${stage}`, '-o', out], { cwd: root, encoding: 'utf8' });
  if (synth.status !== 0) {
    failed++;
    process.stderr.write(`synth ${stage}: FAILED\n${synth.stdout}\n${synth.stderr}\n`);
    continue;
  }
  let residency = 'not run';
  {
    const scan = spawnSync('npx', ['tsx', checker, out], { cwd: root, encoding: 'utf8' });
    residency = scan.status === 0 ? 'clean' : 'FAILED';
    if (scan.status !== 0) {
      failed++;
      process.stderr.write(`residency ${stage}:\n${scan.stdout}\n${scan.stderr}\n`);
    }
  }
  process.stdout.write(`synth ${stage}: ok in ${((Date.now() - started) / 1000).toFixed(1)} s (nag clean, residency ${residency}) -> ${out}/\n`);
}
process.stdout.write(`${DEPLOYABLE_STAGES.length - failed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);

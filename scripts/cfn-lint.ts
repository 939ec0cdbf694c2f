/**
 * `npm run lint:cfn [-- <cloud assembly dir>]`: runs cfn-lint (with the accepted warnings in `.cfnlintrc.yaml`)
 * over every template of a synthesized assembly, `cdk.out/` by default. Synthesize first (`npx cdk synth`).
 * `npm test` runs the same check for every stage through `test/nag/guardrails.test.ts`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const dir = path.resolve(root, process.argv[2] ?? 'cdk.out');
if (!existsSync(dir)) {
  process.stderr.write(`lint:cfn: ${path.relative(root, dir) || dir} does not exist; run npx cdk synth first\n`);
  process.exit(2);
}
const templates = readdirSync(dir)
  .filter((name) => name.endsWith('.template.json'))
  .map((name) => path.join(dir, name));
if (templates.length === 0) {
  process.stderr.write(`lint:cfn: no *.template.json in ${dir}\n`);
  process.exit(2);
}
const result = spawnSync('cfn-lint', ['--format', 'parseable', ...templates], { cwd: root, stdio: 'inherit' });
if (result.error) {
  process.stderr.write(`lint:cfn: could not run cfn-lint (${result.error.message}); it must be on PATH\n`);
  process.exit(2);
}
process.stdout.write(result.status === 0 ? `lint:cfn: ${templates.length} templates clean\n` : '');
process.exit(result.status ?? 1);

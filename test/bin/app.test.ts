import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');

/** Runs the CDK app entry point the way the CLI does (context in CDK_CONTEXT_JSON, output dir in CDK_OUTDIR). */
function runApp(context: Record<string, unknown>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify({ ...context, 'aws:cdk:bundling-stacks': [] }),
      CDK_OUTDIR: mkdtempSync(path.join(tmpdir(), 'rp-app-')),
    },
  });
}

describe('bin/app.ts', () => {
  it('refuses the local stage: it runs under npm run local and is never deployed', () => {
    const result = runApp({ stage: 'local' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('-c stage=local: deployable stages are sandpit, integration, production');
  });

  it('refuses an unknown stage, naming the stages it knows', () => {
    const result = runApp({ stage: 'staging' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('-c stage=staging: deployable stages are sandpit, integration, production');
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { assetFilesToBundle } from '../../lambda/pages/asset-sources';
import { PAGE_ASSETS } from '../../lambda/pages/render';
import { FunctionBaseline, RelyingPartyFunction } from '../../lib/relying-party-function';

/**
 * The deployment packages CDK builds (esbuild through `NodejsFunction`, the copy hook included) work as Lambda runs
 * them: each bundle is imported in a fresh `node` with `LAMBDA_TASK_ROOT` set to its package, and its handler called.
 * The start page renders nhsuk-frontend from the compiled templates inside the bundle; the assets function serves
 * the files that travel beside its bundle.
 */
let packages: Record<'start' | 'assets' | 'signed-out', string>;

beforeAll(() => {
  const app = new App();
  const stack = new Stack(app, 'Fixture', { env: { account: '123456789012', region: 'eu-west-2' } });
  const shared = {
    environment: {},
    logKey: new kms.Key(stack, 'Key'),
    logRetention: logs.RetentionDays.ONE_MONTH,
    reservedConcurrency: 1,
    retainLogs: false,
    baseline: new FunctionBaseline(stack, 'Baseline').policy,
  };
  const functions = {
    start: new RelyingPartyFunction(stack, 'Start', { ...shared, handlerName: 'start', description: 'start' }),
    'signed-out': new RelyingPartyFunction(stack, 'SignedOut', { ...shared, handlerName: 'signed-out', description: 'signed-out' }),
    // As the stateless stack builds the function table's `bundlesAssets` row.
    assets: new RelyingPartyFunction(stack, 'Assets', {
      ...shared,
      handlerName: 'assets',
      description: 'assets',
      bundledFiles: assetFilesToBundle().map((f) => ({ source: f.source, target: `assets/${f.name}` })),
    }),
  };
  const assembly = app.synth();
  const template = JSON.parse(readFileSync(path.join(assembly.directory, 'Fixture.template.json'), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties: { Description?: string; Code?: { S3Key?: string } } }>;
  };
  const dirOf = (fn: RelyingPartyFunction) => {
    const description = Stack.of(fn).resolve((fn.function.node.defaultChild as { description?: string }).description);
    const resource = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === description);
    return path.join(assembly.directory, `asset.${String(resource?.Properties.Code?.S3Key).replace(/\.zip$/, '')}`);
  };
  packages = { start: dirOf(functions.start), 'signed-out': dirOf(functions['signed-out']), assets: dirOf(functions.assets) };
}, 180_000);

/** Imports `index.mjs` of a package in a fresh Node.js, as the Lambda runtime does, and calls its handler. */
function invoke(dir: string, event: unknown): { statusCode: number; headers: Record<string, string>; body: string } {
  const script = 'const m = await import(process.argv[1]); process.stdout.write(JSON.stringify(await m.handler(JSON.parse(process.argv[2]))));';
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, path.join(dir, 'index.mjs'), JSON.stringify(event)], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', LAMBDA_TASK_ROOT: dir },
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

describe('the synthesized page and asset packages', () => {
  it('the pages are the bundle alone, and render nhsuk-frontend from the templates compiled into it', () => {
    expect(readdirSync(packages.start)).toEqual(['index.mjs']);
    const page = invoke(packages.start, { headers: {} });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('class="nhsuk-header"');
    expect(page.body).toContain('nhsuk-button--login');
    expect(page.body).toContain(`href="/auth/assets/${PAGE_ASSETS.css}"`);
    const timedOut = invoke(packages['signed-out'], { resource: '/auth/timed-out', queryStringParameters: { returnTo: '/app' }, headers: {} });
    expect(timedOut.body).toContain('href="/auth/login?returnTo=%2Fapp"');
  });

  it('the assets package carries its files beside the bundle, and serves them', () => {
    expect(readdirSync(packages.assets).sort()).toEqual(['assets', 'index.mjs']);
    expect(readdirSync(path.join(packages.assets, 'assets')).sort()).toEqual(
      assetFilesToBundle()
        .map((f) => f.name)
        .sort(),
    );
    for (const file of Object.values(PAGE_ASSETS)) {
      const res = invoke(packages.assets, { pathParameters: { proxy: file }, headers: {} });
      expect([file, res.statusCode, res.headers['Cache-Control']]).toEqual([file, 200, 'public, max-age=31536000, immutable']);
    }
    const script = invoke(packages.assets, { pathParameters: { proxy: 'session-timeout.js' }, headers: {} });
    expect(script.statusCode).toBe(200);
    expect(script.headers['Cache-Control']).toBe('no-cache');
    expect(existsSync(path.join(packages.assets, 'index.mjs.map'))).toBe(false);
  });
});

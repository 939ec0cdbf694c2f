import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { FunctionBaseline, RelyingPartyFunction, sourceMapPath, type RelyingPartyFunctionProps } from '../../lib/relying-party-function';

function fixture(context: Record<string, unknown> = { 'aws:cdk:bundling-stacks': [] }) {
  const app = new App({ context });
  const stack = new Stack(app, 'Fixture', { env: { account: '123456789012', region: 'eu-west-2' } });
  const props: RelyingPartyFunctionProps = {
    handlerName: 'signed-out',
    description: 'fixture',
    environment: { RP_STAGE: 'sandpit' },
    logKey: new kms.Key(stack, 'Key'),
    logRetention: logs.RetentionDays.ONE_MONTH,
    reservedConcurrency: 5,
    retainLogs: false,
    baseline: new FunctionBaseline(stack, 'Baseline').policy,
  };
  return { app, stack, props };
}

describe('RelyingPartyFunction', () => {
  it.each<[string, Partial<RelyingPartyFunctionProps>, RegExp]>([
    ['a handler name that is a path', { handlerName: '../../etc/passwd' }, /handlerName "..\/..\/etc\/passwd" must be a file name/],
    ['zero reserved concurrency', { reservedConcurrency: 0 }, /reservedConcurrency must be a positive integer, got 0/],
    ['a secret in the environment', { environment: { CLIENT_SECRET: 'x' } }, /CLIENT_SECRET looks secret/],
    ['a private key in the environment', { environment: { SIGNING_PRIVATE_KEY: 'x' } }, /SIGNING_PRIVATE_KEY looks secret/],
    [
      'a bundled file from a relative path',
      { bundledFiles: [{ source: 'assets/x.css', target: 'assets/x.css' }] },
      /bundled file assets\/x\.css must be an absolute path/,
    ],
    [
      'a bundled file outside the package',
      { bundledFiles: [{ source: '/tmp/x.css', target: '../x.css' }] },
      /target \.\.\/x\.css must be a path inside the package/,
    ],
    [
      'a bundled file over the bundle',
      { bundledFiles: [{ source: '/tmp/x.js', target: 'index.mjs' }] },
      /target index\.mjs must be a path inside the package, not the bundle/,
    ],
  ])('refuses %s', (_name, bad, message) => {
    const { stack, props } = fixture();
    expect(() => new RelyingPartyFunction(stack, 'Fn', { ...props, ...bad })).toThrow(message);
  });

  it('applies the organisation defaults', () => {
    const { stack, props } = fixture();
    new RelyingPartyFunction(stack, 'Fn', props);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 10,
      ReservedConcurrentExecutions: 5,
      TracingConfig: { Mode: 'Active' },
      // Exactly the given environment: no NODE_OPTIONS, so no --enable-source-maps at run time.
      Environment: { Variables: { RP_STAGE: 'sandpit' } },
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } });
    t.resourceCountIs('AWS::IAM::Policy', 0);
  });

  it('bundles the handler as ESM for Node.js 24 with a real require in scope (the AWS SDK still calls it), and no source map', () => {
    const { app, stack, props } = fixture({});
    const fn = new RelyingPartyFunction(stack, 'Fn', props);
    const assembly = app.synth();
    const assetDirs = readdirSync(assembly.directory).filter((d) => d.startsWith('asset.'));
    expect(assetDirs).toHaveLength(1);
    const dir = path.join(assembly.directory, assetDirs[0]);
    // The deployment package is the bundle alone.
    expect(readdirSync(dir)).toEqual(['index.mjs']);
    const code = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
    expect(code.startsWith("import { createRequire as __rpCreateRequire } from 'node:module'; const require = __rpCreateRequire(import.meta.url);")).toBe(true);
    expect(code).toMatch(/export\s*\{/);
    expect(code).not.toContain('sourceMappingURL');

    // The map is a build artefact beside the assets, for decoding stack traces offline; its sources resolve.
    expect(fn.sourceMapFile).toBe(path.join(assembly.directory, sourceMapPath('Fixture', 'signed-out')));
    expect(existsSync(fn.sourceMapFile)).toBe(true);
    const map = JSON.parse(readFileSync(fn.sourceMapFile, 'utf8')) as { version: number; sourceRoot: string; sources: string[]; mappings: string };
    expect(map.version).toBe(3);
    expect(map.mappings.length).toBeGreaterThan(0);
    const sources = map.sources.map((s) => path.resolve(path.dirname(fn.sourceMapFile), map.sourceRoot, s));
    expect(sources).toContain(path.resolve(__dirname, '..', '..', 'lambda', 'handlers', 'signed-out.ts'));
    // nunjucks' runtime is a webpack build, whose own map esbuild follows: it names the sources as webpack saw them
    // when nunjucks was built (its wrappers, its `src/`, its dependencies), not files of this checkout. Every other
    // source resolves as it is.
    const resolvable = sources.filter((s) => !s.includes(`${path.sep}node_modules${path.sep}nunjucks${path.sep}`));
    expect(resolvable.length).toBeGreaterThan(0);
    for (const source of resolvable) expect([source, existsSync(source)]).toEqual([source, true]);
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * The library as another team gets it: `npm pack` the project, install the tarball into a fresh, minimal CDK app
 * in a temporary folder (with only the peer dependencies beside it), and synthesize there with the relying party
 * and the guardrails registered. Clean, it synthesizes (handlers bundled from the installed package) and passes
 * the residency rules; with a stack in another region added, synthesis fails on the residency pack.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; peerDependencies: Record<string, string> };

const APP = `
const { App, Stack } = require('aws-cdk-lib');
const s3 = require('aws-cdk-lib/aws-s3');
const { NhsLoginRelyingParty, addGuardrails, writeResidencyReport } = require(${JSON.stringify(pkg.name)});

const app = new App({ outdir: process.env.OUTDIR });
const rp = new NhsLoginRelyingParty(app, 'PartnerRp', {
  config: {
    stage: 'sandpit',
    account: '222222222222',
    region: 'eu-west-2',
    retainData: false,
    dataClassification: 'test-data-only',
    nhsLogin: {
      issuer: 'https://auth.sandpit.signin.nhs.uk',
      clientId: 'partner-client',
      redirectUri: 'https://partner.example.nhs.uk/auth/callback',
      scopes: ['openid', 'profile'],
      assuranceProfiles: { standard: ['P5.Cp.Cd', 'P9.Cp.Cd'] },
      defaultAssuranceProfile: 'standard',
    },
    logRetentionDays: 30,
    backupRetentionDays: 7,
    signingKeys: { current: 1 },
    alarmEmails: ['ops@example.nhs.uk'],
    waf: { rateLimitPer5Minutes: 1000 },
    api: { throttleRateLimit: 50, throttleBurstLimit: 100 },
  },
});
if (process.env.LEAK === '1') {
  const elsewhere = new Stack(app, 'Elsewhere', { env: { account: '222222222222', region: 'us-east-1' } });
  new s3.Bucket(elsewhere, 'Exports', { enforceSSL: true });
}
addGuardrails(app);
const report = writeResidencyReport(app.synth().directory);
console.log('STACKS ' + [rp.stateful.stackName, rp.stateless.stackName].join(' '));
if (!report.passed) process.exitCode = 1;
`;

let work: string;
let appDir: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'rp-pack-'));
  const pack = spawnSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  expect(pack.status).toBe(0);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  expect(tarball).toBeDefined();

  appDir = path.join(work, 'app');
  mkdirSync(appDir);
  writeFileSync(
    path.join(appDir, 'package.json'),
    JSON.stringify({ name: 'partner-cdk-app', version: '1.0.0', private: true, dependencies: { [pkg.name]: `file:../${tarball}`, ...pkg.peerDependencies } }),
  );
  writeFileSync(path.join(appDir, 'app.js'), APP);
  const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: appDir, encoding: 'utf8', timeout: 240_000 });
  if (install.status !== 0) throw new Error(`npm install of the tarball failed:\n${install.stdout}\n${install.stderr}`);
}, 400_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function synth(env: Record<string, string>): { status: number | null; output: string; outdir: string } {
  const outdir = path.join(work, `out-${Object.keys(env).join('-') || 'clean'}`);
  const run = spawnSync(process.execPath, ['app.js'], { cwd: appDir, encoding: 'utf8', timeout: 240_000, env: { ...process.env, OUTDIR: outdir, ...env } });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}`, outdir };
}

describe('the packed library in a fresh CDK app', () => {
  it('ships the compiled constructs with their declarations and the handler sources, and nothing of the tests', () => {
    const installed = path.join(appDir, 'node_modules', pkg.name);
    for (const file of ['dist/lib/index.js', 'dist/lib/index.d.ts', 'lambda/handlers/callback.ts', 'README.md'])
      expect(existsSync(path.join(installed, file))).toBe(true);
    for (const folder of ['test', 'local', 'bin', 'config/stages']) expect(existsSync(path.join(installed, folder))).toBe(false);
  });

  it('synthesizes the relying party with the guardrails registered: nag clean, residency clean, handlers bundled', () => {
    const { status, output, outdir } = synth({});
    expect({ status, output: status === 0 ? '' : output }).toEqual({ status: 0, output: '' });
    expect(output).toContain('STACKS PartnerRp-Stateful PartnerRp-Stateless');
    const report = JSON.parse(readFileSync(path.join(outdir, 'residency-report.json'), 'utf8'));
    expect(report.passed).toBe(true);
    expect(report.stacks.map((s: { region: string }) => s.region)).toEqual(['eu-west-2', 'eu-west-2']);
    const bundles = readdirSync(outdir).filter((f) => f.startsWith('asset.') && existsSync(path.join(outdir, f, 'index.mjs')));
    expect(bundles.length).toBeGreaterThanOrEqual(7);
    // The assets function carries the files it serves from the installed package: the partner script among them.
    const assets = bundles.filter((b) => existsSync(path.join(outdir, b, 'assets')));
    expect(assets).toHaveLength(1);
    expect(readdirSync(path.join(outdir, assets[0] ?? '', 'assets'))).toEqual(expect.arrayContaining(['nhsuk-frontend.css', 'session-timeout.js']));
  }, 300_000);

  it('fails synthesis on the residency pack when the app adds a stack in another region', () => {
    const { status, output } = synth({ LEAK: '1', CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [] }) });
    expect(status).not.toBe(0);
    expect(output).toMatch(/UkResidency-StackEnvironment/);
    expect(output).toMatch(/us-east-1, not eu-west-2/);
  }, 300_000);
});

/**
 * `npm run check:residency -- <dir|template.json>` keeps its contract (docs/design.md): exit 0 clean, 1 with one line
 * per finding and a count, 2 with a clear message on unusable input; `--json` for machines. Spawned for real.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'residency');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(TSX, [path.join(ROOT, 'bin', 'check-residency.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('exit 0 and a clean count line for a compliant assembly', () => {
  const r = run(path.join(FIXTURES, 'assemblies', 'clean'));
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe('UK residency: no findings in 1 template(s), 1 asset manifest(s), 1 stack environment(s).');
});

test('exit 1 with one line per finding, nested stacks and stage assemblies included', () => {
  const r = run(path.join(FIXTURES, 'assemblies', 'nested-leak'));
  expect(r.status).toBe(1);
  const lines = r.stdout.trim().split('\n');
  expect(lines).toEqual([
    'MainInnerNestedStack.nested.template.json Forward AWS::SQS::Queue Properties.RedrivePolicy.deadLetterTargetArn: destination in eu-central-1 (an ARN in eu-central-1) [UkResidency-DataDestinations]',
    'assembly-Prod/ProdMain.assets.json abc/123456789012-eu-west-1 FileAsset region: asset published to eu-west-1 [UkResidency-AssetDestinations]',
    'UK residency: 2 finding(s) in 3 template(s), 2 asset manifest(s), 2 stack environment(s).',
  ]);
});

test('a lone template.json is scanned too', () => {
  const r = run(path.join(FIXTURES, 'UkResidency-DynamoDbReplication', 'fail-global-table-replica.json'));
  expect(r.status).toBe(1);
  expect(r.stdout).toContain(
    'fail-global-table-replica.json Sessions AWS::DynamoDB::GlobalTable Properties.Replicas[1].Region: global table replica in us-east-1 [UkResidency-DynamoDbReplication]',
  );
  expect(r.stdout).toMatch(/UK residency: 1 finding\(s\) in 1 template\(s\)/);
});

test('--json prints the findings for machines, with the same exit code', () => {
  const r = run('--json', path.join(FIXTURES, 'assemblies', 'nested-leak'));
  expect(r.status).toBe(1);
  const out = JSON.parse(r.stdout) as {
    kind: string;
    findings: { ruleId: string; source: string; logicalId: string; type: string; path: string; region?: string }[];
  };
  expect(out.kind).toBe('assembly');
  expect(out.findings).toEqual([
    expect.objectContaining({
      ruleId: 'UkResidency-DataDestinations',
      source: 'MainInnerNestedStack.nested.template.json',
      logicalId: 'Forward',
      type: 'AWS::SQS::Queue',
      path: 'Properties.RedrivePolicy.deadLetterTargetArn',
      region: 'eu-central-1',
    }),
    expect.objectContaining({ ruleId: 'UkResidency-AssetDestinations', region: 'eu-west-1' }),
  ]);
});

test.each([
  ['a missing path', path.join(FIXTURES, 'does-not-exist'), /no such file or directory/],
  ['a file that is not JSON', path.join(FIXTURES, 'assemblies', 'unusable', 'not-json.json'), /is not JSON/],
  [
    'JSON that is not a template',
    path.join(FIXTURES, 'assemblies', 'unusable', 'not-a-template.json'),
    /neither a CloudFormation template .* nor a cloud assembly/,
  ],
  ['a directory that is not an assembly', path.join(FIXTURES, 'assemblies', 'unusable', 'no-manifest'), /not a cloud assembly \(no manifest.json\)/],
])('exit 2 with a clear message for %s', (_what, target, message) => {
  const r = run(target);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stdout).toBe('');
});

test('exit 2 with usage when no path is given', () => {
  const r = run();
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('usage: npm run check:residency -- [--format text|json|sarif] [--json]');
});

test.each([
  ['an unknown option', ['--yaml'], /unknown option --yaml/],
  ['an unknown format', ['--format', 'xml'], /--format must be one of text, json, sarif/],
  ['a region that is not one', ['--region', 'london'], /allowedRegions: "london" is not an AWS region name/],
  ['an egress host with a scheme', ['--egress-host', 'https://api.example.org'], /egressHosts: "https:\/\/api.example.org" is not a host name/],
])('exit 2 with a clear message for %s', (_what, options, message) => {
  const r = run(...options, path.join(FIXTURES, 'assemblies', 'clean'));
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(message);
});

test('--region and --egress-host replace the defaults', () => {
  const fixture = path.join(FIXTURES, 'UkResidency-ExternalEndpoints', 'fail-http-integration-and-api-destination.json');
  expect(run(fixture).status).toBe(1);
  expect(run('--egress-host', 'analytics.example.com', '--egress-host', 'hooks.example.com', fixture).status).toBe(0);
  // The clean assembly is pinned to eu-west-2, which is not allowed when only eu-west-1 is.
  const r = run('--json', '--region', 'eu-west-1', path.join(FIXTURES, 'assemblies', 'clean'));
  expect(r.status).toBe(1);
  expect(JSON.parse(r.stdout).findings).toContainEqual(expect.objectContaining({ ruleId: 'UkResidency-StackEnvironment', region: 'eu-west-2' }));
});

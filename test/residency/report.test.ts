/**
 * The residency report reviewers read instead of templates: per stack its account and region, the data map, the
 * only egress and the rules' result, written as Markdown and JSON into the assembly.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPORT_FILES, writeResidencyReport, type DataMapEntry, type ResidencyReport } from '../../lib/residency/report';
import { ResidencyInputError } from '../../lib/residency/assembly';
import { ACCOUNT, buildCleanApp, CLEAN_STACK } from '../fixtures/residency/cdk/apps';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'residency');
let outdir: string;
let report: ResidencyReport;
let markdown: string;
let json: ResidencyReport;

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'residency-report-'));
  const dir = buildCleanApp(path.join(outdir, 'clean')).synth().directory;
  report = writeResidencyReport(dir);
  markdown = fs.readFileSync(path.join(dir, REPORT_FILES.markdown), 'utf8');
  json = JSON.parse(fs.readFileSync(path.join(dir, REPORT_FILES.json), 'utf8')) as ResidencyReport;
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

/** The data map entry whose logical id is `<construct path without slashes><8-digit hash>`. */
const entry = (logicalIdPrefix: string): DataMapEntry => {
  const found = report.dataMap.find((d) => new RegExp(`^${logicalIdPrefix}[0-9A-F]{8}$`).test(d.logicalId));
  if (!found) throw new Error(`no data map entry for ${logicalIdPrefix}: ${report.dataMap.map((d) => d.logicalId).join(', ')}`);
  return found;
};

test('the JSON file holds the returned report', () => {
  expect(json).toEqual(JSON.parse(JSON.stringify(report)));
});

test('each stack with its account and region', () => {
  expect(report.stacks).toEqual([{ stack: CLEAN_STACK, account: ACCOUNT, region: 'eu-west-2', template: `${CLEAN_STACK}.template.json` }]);
  expect(markdown).toContain(`| ${CLEAN_STACK} | ${ACCOUNT} | eu-west-2 | ${CLEAN_STACK}.template.json |`);
});

test('the sessions table: key, TTL and recovery, backup selection, declared personal data', () => {
  const table = entry('Sessions');
  expect(table).toEqual(
    expect.objectContaining({
      type: 'AWS::DynamoDB::GlobalTable',
      region: 'eu-west-2',
      encryptionKey: expect.stringMatching(/^DataKey[0-9A-F]{8} \(customer managed key, this stack\)$/),
      retention: 'TTL on attribute "expiresAt"; point-in-time recovery 35 days',
      backup: expect.stringMatching(/^selected by PlanSessions[0-9A-F]{8}/),
      purpose: 'server-side sessions',
      personalData: 'NHS login subject, vot and the configured claims',
    }),
  );
});

test('log groups, vault, keys, topic and access logs are mapped; undeclared data is called out', () => {
  expect(entry('FunctionLogs')).toEqual(
    expect.objectContaining({ retention: '30 days', encryptionKey: expect.stringMatching(/^DataKey/), personalData: 'undeclared' }),
  );
  expect(entry('Vault')).toEqual(
    expect.objectContaining({ what: 'Backup vault', retention: 'recovery points kept 7 days', encryptionKey: expect.stringMatching(/^DataKey/) }),
  );
  expect(entry('DataKey')).toEqual(
    expect.objectContaining({ retention: 'rotation every 365 days; deletion window 30 days', personalData: 'none (key material never leaves KMS)' }),
  );
  expect(entry('SigningKey').encryptionKey).toBe('is a key: RSA_2048, SIGN_VERIFY');
  expect(entry('Alarms')).toEqual(expect.objectContaining({ what: 'SNS topic', encryptionKey: expect.stringMatching(/^DataKey/) }));
  expect(entry('ApiDeploymentStageprod').encryptionKey).toMatch(/^that of its access log group: AccessLogs[0-9A-F]{8}$/);
  expect(entry('Data').backup).toBe('NOT selected by any backup selection');
});

test('the only egress is the NHS login issuer, taken from the functions', () => {
  expect(report.egress).toEqual([
    {
      kind: 'nhs-login',
      url: 'https://auth.sandpit.signin.nhs.uk',
      host: 'auth.sandpit.signin.nhs.uk',
      functions: [expect.stringMatching(/^Login[0-9A-F]{8} \(CleanService\)$/)],
      methods: [],
    },
  ]);
  expect(markdown).toContain('- `https://auth.sandpit.signin.nhs.uk` (host `auth.sandpit.signin.nhs.uk`)');
});

test('the result: a pass, with every rule listed', () => {
  expect(report.passed).toBe(true);
  expect(markdown).toContain('**Pass**');
  expect(markdown).toContain('| UkResidency-StackEnvironment |');
  expect(markdown).toContain('| UkResidency-RegionNames |');
  expect(markdown).toContain('## What no template can show');
  expect(markdown).toContain('AWS Organizations backup policies');
});

test('a failing assembly is reported as FAIL with every finding', () => {
  const dir = path.join(outdir, 'nested-leak');
  fs.cpSync(path.join(FIXTURES, 'assemblies', 'nested-leak'), dir, { recursive: true });
  const failing = writeResidencyReport(dir);
  expect(failing.passed).toBe(false);
  const md = fs.readFileSync(path.join(dir, REPORT_FILES.markdown), 'utf8');
  expect(md).toContain('**FAIL**: 2 finding(s)');
  expect(md).toContain('destination in eu-central-1');
  expect(md).toContain('| Prod-Main | 123456789012 | eu-west-2 | assembly-Prod/ProdMain.template.json |');
});

test('backup coverage and keys follow exports and stack outputs across stacks; tag selections count', () => {
  const dir = path.join(outdir, 'cross-stack-backups');
  fs.cpSync(path.join(FIXTURES, 'assemblies', 'cross-stack-backups'), dir, { recursive: true });
  const backups = Object.fromEntries(writeResidencyReport(dir).dataMap.map((d) => [d.logicalId, d]));
  expect(backups.Sessions?.backup).toBe('selected by ByReference (Backups.template.json)');
  expect(backups.Audit?.backup).toBe('selected by ByTag (Backups.template.json)');
  expect(backups.Scratch?.backup).toBe('NOT selected by any backup selection');
  expect(backups.Vault?.retention).toBe('recovery points kept 14 days');
  expect(backups.Sessions?.personalData).toBe('NHS login subject');
  expect(backups.Scratch?.encryptionKey).toBe('AWS owned key (default encryption)');
  expect(backups.BackupLogs?.encryptionKey).toBe('DataKey in Data (customer managed key)');
});

test('an unusable directory is a typed error', () => {
  expect(() => writeResidencyReport(path.join(FIXTURES, 'assemblies', 'unusable', 'no-manifest'))).toThrow(ResidencyInputError);
});

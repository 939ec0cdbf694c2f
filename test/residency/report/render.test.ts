/**
 * The Markdown page reviewers sign off: table cells stay one cell whatever the data says, and empty sections and
 * failures still read as a complete report.
 */
import type { ResidencyReport } from '../../../lib/residency/report';
import { renderResidencyReport } from '../../../lib/residency/report/render';

const empty: ResidencyReport = { allowedRegion: 'eu-west-2', egressHosts: [], stacks: [], dataMap: [], egress: [], rules: [], findings: [], passed: true };

test('an empty report still has every section, with placeholder rows and no egress', () => {
  const md = renderResidencyReport(empty);
  expect(md).toContain('**Pass**: 0 residency rules found nothing outside eu-west-2.');
  expect(md).toContain('| (a lone template: no stack environment) | | | |');
  expect(md).toContain('| (none) | | | | | | | | |');
  expect(md).toContain('No function declares an NHS login issuer (NHS_LOGIN_ISSUER); no egress is configured.');
  expect(md.endsWith('|---|---|\n')).toBe(true);
});

test('pipes and line breaks in data cannot break a table row', () => {
  const md = renderResidencyReport({ ...empty, rules: [{ id: 'UkResidency-X', info: 'a | b\nc' }] });
  expect(md).toContain('| UkResidency-X | a \\| b c |');
});

test('a failing report lists every finding as the scanner prints it', () => {
  const finding = {
    ruleId: 'UkResidency-SecretsReplicas',
    source: 'Data.template.json',
    logicalId: 'Secret',
    type: 'AWS::SecretsManager::Secret',
    path: 'ReplicaRegions[0].Region',
    message: 'replica in eu-west-1',
    region: 'eu-west-1',
  };
  const md = renderResidencyReport({ ...empty, findings: [finding], passed: false });
  expect(md).toContain('**FAIL**: 1 finding(s). Each must be fixed; residency findings cannot be acknowledged.');
  const line = 'Data.template.json Secret AWS::SecretsManager::Secret ReplicaRegions[0].Region: replica in eu-west-1 [UkResidency-SecretsReplicas]';
  expect(md).toContain(['```', line, '```'].join('\n'));
  expect(md).not.toContain('**Pass**');
});

test('the declared backends follow the issuer, each with how it is reached, what it is and the methods using it', () => {
  const md = renderResidencyReport({
    ...empty,
    egress: [
      { kind: 'nhs-login', url: 'https://auth.login.nhs.uk', host: 'auth.login.nhs.uk', functions: ['Login (Api)'], methods: [] },
      {
        kind: 'backend',
        url: 'https://appointments.example.nhs.uk/v1',
        host: 'appointments.example.nhs.uk',
        functions: [],
        methods: ['GET /api/appointments (Api)', 'GET /api/appointments/{proxy+} (Api)'],
        connection: 'internet',
        purpose: 'the api mount /api/appointments (stage config)',
      },
      {
        kind: 'backend',
        url: 'https://app.elb.eu-west-2.amazonaws.com:443',
        host: 'app.elb.eu-west-2.amazonaws.com',
        functions: [],
        methods: ['GET /app (Api)'],
        connection: 'vpc-link',
        purpose: 'the page mount /app (stage config)',
      },
    ],
  });
  expect(md).toContain("The functions' only calls leaving AWS go to the NHS login issuer");
  expect(md).toContain('The declared backends: the API forwards requests to these and nowhere else');
  expect(md).toContain(
    '- `https://appointments.example.nhs.uk/v1` (host `appointments.example.nhs.uk`, over the internet): the api mount /api/appointments (stage config); used by GET /api/appointments (Api), GET /api/appointments/{proxy+} (Api)',
  );
  expect(md).toContain('(host `app.elb.eu-west-2.amazonaws.com`, through a VPC link to a load balancer in the region): the page mount /app');
  expect(md.indexOf('NHS login issuer')).toBeLessThan(md.indexOf('declared backends'));
});

test('backends without an issuer still say that no function declares one', () => {
  const md = renderResidencyReport({
    ...empty,
    egress: [
      { kind: 'backend', url: 'https://b.example', host: 'b.example', functions: [], methods: ['GET /b (Api)'], connection: 'internet', purpose: 'undeclared' },
    ],
  });
  expect(md).toContain('No function declares an NHS login issuer (NHS_LOGIN_ISSUER).');
  expect(md).toContain('- `https://b.example` (host `b.example`, over the internet): undeclared; used by GET /b (Api)');
});

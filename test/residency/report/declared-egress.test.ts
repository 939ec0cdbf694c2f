/** The report lists each use of declared egress with the resource that uses it, and the hosts declared. */
import * as path from 'node:path';
import { readResidencyInput } from '../../../lib/residency/assembly';
import { buildResidencyReport, renderResidencyReport } from '../../../lib/residency/report';

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'residency', 'UkResidency-ExternalEndpoints', 'pass-declared-egress.json');

test('each declared host is listed with the resources that send data to it', () => {
  const report = buildResidencyReport(readResidencyInput(FIXTURE));
  expect(report.passed).toBe(true);
  expect(report.egress.filter((e) => e.kind === 'declared')).toEqual([
    expect.objectContaining({
      host: 'auth.login.nhs.uk',
      resources: [expect.stringMatching(/^Step Functions HTTP task: Flow AWS::StepFunctions::StateMachine /)],
    }),
    expect.objectContaining({ host: 'records.partner.example.nhs.uk', resources: [expect.stringMatching(/^AppSync HTTP data source: Records /)] }),
  ]);
  const markdown = renderResidencyReport(report);
  expect(markdown).toContain('- `auth.login.nhs.uk`: Step Functions HTTP task: Flow');
  expect(markdown).toContain('Declared egress hosts: `auth.sandpit.signin.nhs.uk`, `auth.aos.signin.nhs.uk`, `auth.login.nhs.uk`');
});

test('a host declared by options is listed too, and an undeclared one fails the report', () => {
  expect(buildResidencyReport(readResidencyInput(FIXTURE), { egressHosts: [] }).passed).toBe(false);
});

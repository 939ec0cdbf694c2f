/**
 * The pack and the scanner take their region and egress settings as options, and their defaults are this service's
 * own: eu-west-2, the NHS login issuers of the stage configuration and the self-URL variables of the Lambda settings.
 */
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ALLOWED_REGION, NHS_LOGIN_ISSUERS } from '../../config/schema';
import { ENVIRONMENT_KEYS } from '../../lambda/settings';
import { UkResidencyChecks } from '../../lib/residency/nag-pack';
import { scanResidency } from '../../lib/residency/scanner';
import { DEFAULT_RESIDENCY_SETTINGS, resolveResidencySettings } from '../../lib/residency/settings';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'residency');

test("the defaults are this service's region, NHS login issuers and self-URL variables", () => {
  expect(DEFAULT_RESIDENCY_SETTINGS.allowedRegions).toEqual([ALLOWED_REGION]);
  expect([...DEFAULT_RESIDENCY_SETTINGS.egressHosts].sort()).toEqual(
    Object.values(NHS_LOGIN_ISSUERS)
      .map((u) => new URL(u).hostname)
      .sort(),
  );
  expect(DEFAULT_RESIDENCY_SETTINGS.selfUrlVariables).toEqual([ENVIRONMENT_KEYS.redirectUri, ENVIRONMENT_KEYS.nhsLoginSettingsUrl]);
});

test.each([
  [{ allowedRegions: [] }, /at least one region/],
  [{ allowedRegions: ['London'] }, /allowedRegions: "London" is not an AWS region name/],
  [{ egressHosts: ['api.example.org:443'] }, /egressHosts: "api.example.org:443" is not a host name/],
  [{ selfUrlVariables: ['MY-URL'] }, /selfUrlVariables: "MY-URL" is not an environment variable name/],
])('bad options are refused with the option and the value: %j', (options, message) => {
  expect(() => resolveResidencySettings(options)).toThrow(message);
  expect(() => new UkResidencyChecks(undefined, options)).toThrow(message);
});

test('the scanner holds a template to the regions and hosts it is given', () => {
  const kms = path.join(FIXTURES, 'UkResidency-RegionNames', 'fail-base64-user-data.json');
  expect(scanResidency(kms).findings.map((f) => f.region)).toEqual(['us-east-1']);
  expect(scanResidency(kms, { allowedRegions: ['eu-west-2', 'us-east-1'] }).findings).toEqual([]);
  const egress = path.join(FIXTURES, 'UkResidency-ExternalEndpoints', 'pass-declared-egress.json');
  expect(scanResidency(egress).findings).toEqual([]);
  expect(scanResidency(egress, { egressHosts: [] }).findings.map((f) => f.logicalId)).toEqual(['Flow']);
});

test('the pack holds constructs to the regions it is given, and says so in its findings', () => {
  const app = new App();
  const stack = new Stack(app, 'Ireland', { env: { account: '123456789012', region: 'eu-west-1' } });
  new sns.Topic(stack, 'Topic');
  expect(new UkResidencyChecks(app).validateScope(app).violations.map((v) => v.ruleName)).toContain('UkResidency-StackEnvironment');
  const ireland = new UkResidencyChecks(app, { allowedRegions: ['eu-west-1'] }).validateScope(app);
  expect(ireland.violations).toEqual([]);
  const london = new UkResidencyChecks(app).validateScope(app);
  expect(london.violations.find((v) => v.ruleName === 'UkResidency-StackEnvironment')?.description).toContain('not eu-west-2');
});

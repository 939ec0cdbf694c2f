/**
 * The ways a CDK app leaks data out of eu-west-2, written as CDK stacks, caught twice: by the cdk-nag pack at the construct that caused
 * them and by the scanner over the synthesized assembly. The compliant counterparts produce nothing from either.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Stack, type App, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import { UkResidencyChecks } from '../../lib/residency/nag-pack';
import { scanResidency, type ResidencyScan } from '../../lib/residency/scanner';
import { buildCleanApp, buildLeakyApp, LEAKS } from '../fixtures/residency/cdk/apps';

let outdir: string;
let leaky: { app: App; nag: PolicyValidationPluginReport; scan: ResidencyScan };
let clean: { nag: PolicyValidationPluginReport; scan: ResidencyScan };

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'residency-cdk-'));
  const leakyApp = buildLeakyApp(path.join(outdir, 'leaky'));
  const leakyDir = leakyApp.synth().directory;
  leaky = { app: leakyApp, nag: new UkResidencyChecks().validateScope(leakyApp), scan: scanResidency(leakyDir) };
  const cleanApp = buildCleanApp(path.join(outdir, 'clean'));
  const cleanDir = cleanApp.synth().directory;
  clean = { nag: new UkResidencyChecks().validateScope(cleanApp), scan: scanResidency(cleanDir) };
});

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

/** Findings of the pack as `ruleId constructPath description` lines (the description leads with path and message). */
function nagLines(report: PolicyValidationPluginReport): string[] {
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath} ${v.description}`));
}

function scanLines(scan: ResidencyScan): string[] {
  return scan.findings.map((f) => `${f.ruleId} ${f.source} ${f.logicalId} ${f.path}: ${f.message}`);
}

const containing = (lines: string[], ...parts: string[]) => lines.filter((l) => parts.every((p) => l.includes(p)));

/** [scenario, stack, rule, what the finding's location must contain] */
const LEAK_CASES: [string, string, string, string][] = [
  ['global table replica', LEAKS.globalTableReplica, 'UkResidency-DynamoDbReplication', 'Replicas[0].Region: global table replica in us-east-1'],
  ['backup copy action', LEAKS.backupCopy, 'UkResidency-BackupCopies', 'CopyActions[0].DestinationBackupVaultArn: backup copy to a vault in eu-west-1'],
  ['multi-region key', LEAKS.multiRegionKeys, 'UkResidency-KmsMultiRegion', 'Properties.MultiRegion'],
  ['replica key', LEAKS.multiRegionKeys, 'UkResidency-KmsMultiRegion', 'Type: replica of a multi-Region key'],
  ['CloudFront distribution', LEAKS.cloudFrontEdge, 'UkResidency-CloudFront', 'AWS::CloudFront::Distribution is not allowed'],
  ['Lambda@Edge parameter reader', LEAKS.cloudFrontEdge, 'UkResidency-CrossRegionReferences', 'Custom::CrossRegionStringParameterReader is not allowed'],
  ['CLOUDFRONT-scoped WAF', LEAKS.cloudFrontWaf, 'UkResidency-WafScope', 'scope is CLOUDFRONT'],
  ['edge API', LEAKS.edgeApi, 'UkResidency-ApiGatewayEndpoints', 'no EndpointConfiguration'],
  ['edge domain', LEAKS.edgeApi, 'UkResidency-ApiGatewayEndpoints', 'endpoint type EDGE'],
  [
    'edge domain certificate in us-east-1',
    LEAKS.edgeApi,
    'UkResidency-ApiGatewayEndpoints',
    'CertificateArn: edge certificate (CertificateArn arn:aws:acm:us-east-1',
  ],
  ['log subscription to another region', LEAKS.logSubscription, 'UkResidency-DataDestinations', 'DestinationArn: destination in us-east-1'],
  ['SNS subscription with another Region', LEAKS.snsRegion, 'UkResidency-SnsSubscriptions', 'Region: subscription Region us-east-1'],
  ['EventBridge target bus elsewhere', LEAKS.eventBus, 'UkResidency-DataDestinations', 'Targets[0].Arn: destination in eu-west-1'],
  ['S3 replication to a bucket not defined here', LEAKS.s3Replication, 'UkResidency-S3DataMovement', 'somebody-elses-bucket'],
  ['Secrets Manager replica', LEAKS.secretReplica, 'UkResidency-SecretsReplicas', 'ReplicaRegions[0].Region: secret replicated to eu-west-1'],
  ['cross-region export reader', LEAKS.crossRegionConsumer, 'UkResidency-CrossRegionReferences', 'Custom::CrossRegionExportReader is not allowed'],
  ['cross-region export writer', LEAKS.crossRegionProducer, 'UkResidency-CrossRegionReferences', 'Custom::CrossRegionExportWriter is not allowed'],
  [
    'custom resource call with "region"',
    LEAKS.customResourceRegion,
    'UkResidency-CustomResourceRegions',
    'Create(json).region: custom resource acts in us-east-1',
  ],
  ['region inside an Fn::Join-built ARN', LEAKS.joinArn, 'UkResidency-ArnRegions', 'ARN in us-east-1: arn:${AWS::Partition}:sns:us-east-1'],
  [
    'Lambda environment value naming another region',
    LEAKS.lambdaEnvironment,
    'UkResidency-RegionNames',
    'Environment.Variables.REPLICA_REGION: names region us-west-2',
  ],
  [
    'Lambda environment URL in another region',
    LEAKS.lambdaEnvironment,
    'UkResidency-LambdaEgress',
    'BACKUP_QUEUE_URL: points the function at sqs.us-west-2.amazonaws.com',
  ],
];

describe('the cdk-nag pack reports each leak at its construct', () => {
  test.each(LEAK_CASES)('%s', (_scenario, stack, rule, where) => {
    const hits = containing(nagLines(leaky.nag), rule, ` ${stack}/`, where);
    expect(hits.length).toBeGreaterThan(0);
  });

  test.each([
    ['Lambda@Edge stack in us-east-1', 'edge-lambda-stack-', 'stack deployed to us-east-1'],
    ['cross-region producer', LEAKS.crossRegionProducer, 'stack deployed to us-east-1'],
    ['stack in another region', LEAKS.otherRegionStack, 'stack deployed to eu-west-1'],
  ])('stack environment: %s', (_scenario, stack, message) => {
    expect(containing(nagLines(leaky.nag), 'UkResidency-StackEnvironment', ` ${stack}`, message).length).toBe(1);
  });

  test('every finding is fatal, so CDK cannot suppress it', () => {
    expect(leaky.nag.success).toBe(false);
    expect(new Set(leaky.nag.violations.map((v) => v.severity))).toEqual(new Set(['fatal']));
  });

  test('it cannot see an escape-hatch override (the scanner can)', () => {
    expect(nagLines(leaky.nag).filter((l) => l.includes(`${LEAKS.escapeHatch}/`))).toEqual([]);
  });
});

describe('the scanner reports each leak in the synthesized assembly', () => {
  test.each(LEAK_CASES)('%s', (_scenario, stack, rule, where) => {
    expect(containing(scanLines(leaky.scan), rule, ` ${stack}.template.json `, where).length).toBeGreaterThan(0);
  });

  test.each([
    ['Lambda@Edge stack in us-east-1', 'edge-lambda-stack-', 'us-east-1'],
    ['cross-region producer', LEAKS.crossRegionProducer, 'us-east-1'],
    ['stack in another region', LEAKS.otherRegionStack, 'eu-west-1'],
  ])('stack environment in manifest.json: %s', (_scenario, stack, region) => {
    expect(
      containing(scanLines(leaky.scan), 'UkResidency-StackEnvironment manifest.json', ` ${stack}`, `environment.region: stack deployed to ${region}`).length,
    ).toBe(1);
  });

  test('an asset manifest publishing to another region', () => {
    expect(
      containing(scanLines(leaky.scan), 'UkResidency-AssetDestinations', `${LEAKS.otherRegionStack}.assets.json`, 'region: asset published to eu-west-1')
        .length,
    ).toBeGreaterThan(0);
  });

  test('an escape-hatch override (addPropertyOverride) invisible to the pack', () => {
    expect(
      containing(
        scanLines(leaky.scan),
        'UkResidency-SnsSubscriptions',
        `${LEAKS.escapeHatch}.template.json`,
        'Properties.Region: subscription Region us-east-1',
      ),
    ).toHaveLength(1);
  });

  test('every template of the assembly is read', () => {
    expect(leaky.scan.counts.templates).toBe(leaky.app.node.findAll().filter((c) => Stack.isStack(c)).length);
  });
});

describe('the compliant counterparts raise nothing', () => {
  test('cdk-nag pack', () => {
    expect(nagLines(clean.nag)).toEqual([]);
    expect(clean.nag.success).toBe(true);
  });

  test('scanner', () => {
    expect(scanLines(clean.scan)).toEqual([]);
    expect(clean.scan.counts).toEqual(expect.objectContaining({ templates: 1, stacks: 1, assetManifests: 1 }));
  });
});

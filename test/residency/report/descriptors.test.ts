/**
 * Per-type descriptions of encryption at rest and retention: each branch reads the property that type keeps its
 * setting in, and says what AWS does when the property is absent.
 */
import { encryptionOf, retentionOf } from '../../../lib/residency/report/descriptors';
import type { Exports } from '../../../lib/residency/report/references';
import type { CfnResourceEntry, CfnTemplate } from '../../../lib/residency/template';

const template: CfnTemplate = { Resources: { Key: { Type: 'AWS::KMS::Key' }, Vault: { Type: 'AWS::Backup::BackupVault' } } };
const exports: Exports = new Map();
const keyRef = { 'Fn::GetAtt': ['Key', 'Arn'] };
const of = (Type: string, Properties?: Record<string, unknown>): CfnResourceEntry => ({ Type, ...(Properties ? { Properties } : {}) });

test.each<[string, CfnResourceEntry, string]>([
  ['table with SSE and no key', of('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: 'true' } }), 'aws/dynamodb (AWS managed key)'],
  ['table without SSE', of('AWS::DynamoDB::Table'), 'AWS owned key (default encryption)'],
  [
    'global table with replica keys',
    of('AWS::DynamoDB::GlobalTable', { Replicas: [{ SSESpecification: { KMSMasterKeyId: keyRef } }] }),
    'Key (customer managed key, this stack)',
  ],
  ['global table with SSE and no key', of('AWS::DynamoDB::GlobalTable', { SSESpecification: { SSEEnabled: true } }), 'aws/dynamodb (AWS managed key)'],
  ['queue with defaults', of('AWS::SQS::Queue'), 'SQS managed SSE'],
  ['queue with managed SSE turned off', of('AWS::SQS::Queue', { SqsManagedSseEnabled: false }), 'AWS owned key (default encryption)'],
  ['topic without a key', of('AWS::SNS::Topic'), 'none (not encrypted at rest with KMS)'],
  ['secret with defaults', of('AWS::SecretsManager::Secret'), 'aws/secretsmanager (AWS managed key)'],
  ['bucket with defaults', of('AWS::S3::Bucket'), 'SSE-S3 (default)'],
  [
    'bucket with an algorithm',
    of('AWS::S3::Bucket', { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }),
    'AES256',
  ],
  ['key with defaults', of('AWS::KMS::Key'), 'is a key: SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT'],
  ['stream without encryption', of('AWS::Kinesis::Stream'), 'none'],
  ['REST stage without access logs', of('AWS::ApiGateway::Stage'), 'no access logs'],
  ['HTTP stage with access logs', of('AWS::ApiGatewayV2::Stage', { AccessLogSettings: { DestinationArn: keyRef } }), 'that of its access log group: Key'],
  ['a type that holds no data', of('AWS::Lambda::Function'), 'not applicable'],
])('encryption: %s', (_what, resource, expected) => {
  expect(encryptionOf(resource, template, exports)).toBe(expected);
});

const plan = (rules: readonly Record<string, unknown>[]): CfnTemplate => ({
  Resources: { ...template.Resources, Plan: of('AWS::Backup::BackupPlan', { BackupPlan: { BackupPlanRule: rules } }) },
});

test.each<[string, CfnResourceEntry, CfnTemplate, string]>([
  ['log group without retention', of('AWS::Logs::LogGroup'), template, 'never expires (no RetentionInDays)'],
  [
    'table with TTL turned off and a recovery period',
    of('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: false },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 7 },
    }),
    template,
    'no TTL; point-in-time recovery 7 days',
  ],
  [
    'global table with TTL and default recovery',
    of('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [{ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }],
    }),
    template,
    'TTL on attribute "expiresAt"; point-in-time recovery 35 days',
  ],
  ['vault no plan targets', of('AWS::Backup::BackupVault'), template, 'no backup plan rule targets it'],
  [
    'vault with a rule that keeps forever and one that expires (rules for other vaults do not count)',
    of('AWS::Backup::BackupVault'),
    plan([
      { TargetBackupVault: { Ref: 'Vault' } },
      { TargetBackupVault: { Ref: 'Vault' }, Lifecycle: { DeleteAfterDays: 35 } },
      { TargetBackupVault: 'other', Lifecycle: { DeleteAfterDays: 1 } },
    ]),
    'recovery points kept forever, 35 days',
  ],
  ['key without rotation', of('AWS::KMS::Key', { PendingWindowInDays: 7 }), template, 'no automatic rotation; deletion window 7 days'],
  ['queue with defaults', of('AWS::SQS::Queue'), template, 'messages kept 345600 seconds'],
  [
    'bucket with lifecycle rules',
    of('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [{ ExpirationInDays: 30 }, { ExpirationInDays: 365 }] } }),
    template,
    'objects expire after 30, 365 days',
  ],
  ['bucket without lifecycle', of('AWS::S3::Bucket'), template, 'objects kept until deleted'],
])('retention: %s', (_what, resource, inTemplate, expected) => {
  expect(retentionOf('Vault', resource, inTemplate)).toBe(expected);
});

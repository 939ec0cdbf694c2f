/**
 * Each resource type keeps its key, expiry and recovery settings under different properties; this is the one place
 * that knows, per type, where to look and how to say it in words a reviewer can check against the data map.
 */
import { localReference } from '../intrinsics';
import { isRecord, select, type CfnResourceEntry, type CfnTemplate } from '../template';
import { describeKey, describeTarget, type Exports } from './references';

/** Resource types that hold or carry data, with a reviewer's name for each. */
export const DATA_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  'AWS::DynamoDB::Table': 'DynamoDB table',
  'AWS::DynamoDB::GlobalTable': 'DynamoDB table',
  'AWS::Logs::LogGroup': 'CloudWatch log group',
  'AWS::Backup::BackupVault': 'Backup vault',
  'AWS::KMS::Key': 'KMS key',
  'AWS::SNS::Topic': 'SNS topic',
  'AWS::WAFv2::LoggingConfiguration': 'WAF logging',
  'AWS::ApiGateway::Stage': 'API stage (access logs)',
  'AWS::ApiGatewayV2::Stage': 'API stage (access logs)',
  'AWS::S3::Bucket': 'S3 bucket',
  'AWS::SQS::Queue': 'SQS queue',
  'AWS::SecretsManager::Secret': 'Secret',
  'AWS::Kinesis::Stream': 'Kinesis stream',
  'AWS::KinesisFirehose::DeliveryStream': 'Firehose delivery stream',
  'AWS::Synthetics::Canary': 'Synthetics canary (run artifacts)',
  'AWS::Backup::RestoreTestingSelection': 'Backup restore test (temporary table)',
};

/** How a resource's data is encrypted at rest, naming the key (followed across stacks) where there is one. */
export function encryptionOf(r: CfnResourceEntry, template: CfnTemplate, exports: Exports): string {
  const p = r.Properties ?? {};
  switch (r.Type) {
    case 'AWS::DynamoDB::Table': {
      const sse = isRecord(p.SSESpecification) ? p.SSESpecification : {};
      return sse.SSEEnabled === true || sse.SSEEnabled === 'true'
        ? describeKey(sse.KMSMasterKeyId ?? 'aws/dynamodb (AWS managed key)', template, exports)
        : 'AWS owned key (default encryption)';
    }
    case 'AWS::DynamoDB::GlobalTable': {
      const keys = select(p, 'Replicas.*.SSESpecification.KMSMasterKeyId').map((k) => describeKey(k.value, template, exports));
      const sse = isRecord(p.SSESpecification) ? p.SSESpecification : {};
      if (keys.length > 0) return keys.join('; ');
      return sse.SSEEnabled === true ? 'aws/dynamodb (AWS managed key)' : 'AWS owned key (default encryption)';
    }
    case 'AWS::Logs::LogGroup':
      return describeKey(p.KmsKeyId, template, exports);
    case 'AWS::Backup::BackupVault':
      return describeKey(p.EncryptionKeyArn, template, exports);
    case 'AWS::SNS::Topic':
    case 'AWS::SQS::Queue':
      return p.KmsMasterKeyId === undefined && p.SqsManagedSseEnabled !== false
        ? r.Type === 'AWS::SQS::Queue'
          ? 'SQS managed SSE'
          : 'none (not encrypted at rest with KMS)'
        : describeKey(p.KmsMasterKeyId, template, exports);
    case 'AWS::SecretsManager::Secret':
      return describeKey(p.KmsKeyId ?? 'aws/secretsmanager (AWS managed key)', template, exports);
    case 'AWS::S3::Bucket': {
      const [rule] = select(p, 'BucketEncryption.ServerSideEncryptionConfiguration.*.ServerSideEncryptionByDefault');
      if (!rule || !isRecord(rule.value)) return 'SSE-S3 (default)';
      return rule.value.KMSMasterKeyID !== undefined ? describeKey(rule.value.KMSMasterKeyID, template, exports) : String(rule.value.SSEAlgorithm);
    }
    case 'AWS::KMS::Key':
      return `is a key: ${String(p.KeySpec ?? 'SYMMETRIC_DEFAULT')}, ${String(p.KeyUsage ?? 'ENCRYPT_DECRYPT')}`;
    case 'AWS::Kinesis::Stream':
      return isRecord(p.StreamEncryption) ? describeKey(p.StreamEncryption.KeyId, template, exports) : 'none';
    case 'AWS::WAFv2::LoggingConfiguration':
      return `that of its destination: ${select(p, 'LogDestinationConfigs.*')
        .map((d) => describeTarget(d.value, template, exports))
        .join(', ')}`;
    case 'AWS::ApiGateway::Stage':
    case 'AWS::ApiGatewayV2::Stage': {
      const dest = select(p, r.Type === 'AWS::ApiGateway::Stage' ? 'AccessLogSetting.DestinationArn' : 'AccessLogSettings.DestinationArn')[0];
      return dest ? `that of its access log group: ${describeTarget(dest.value, template, exports)}` : 'no access logs';
    }
    case 'AWS::Synthetics::Canary': {
      const key = select(p, 'ArtifactConfig.S3Encryption.KmsKeyArn')[0];
      return key ? describeKey(key.value, template, exports) : 'that of its artifacts bucket';
    }
    case 'AWS::Backup::RestoreTestingSelection': {
      const key = select(p, 'RestoreMetadataOverrides.kmsMasterKeyArn')[0];
      return key ? describeKey(key.value, template, exports) : 'AWS owned key (default encryption)';
    }
    default:
      return 'not applicable';
  }
}

/** How long data stays in a resource: log retention, TTL and recovery windows, backup lifecycles, key deletion. */
export function retentionOf(logicalId: string, r: CfnResourceEntry, template: CfnTemplate): string {
  const p = r.Properties ?? {};
  const parts: string[] = [];
  switch (r.Type) {
    case 'AWS::Logs::LogGroup':
      return p.RetentionInDays !== undefined ? `${String(p.RetentionInDays)} days` : 'never expires (no RetentionInDays)';
    case 'AWS::DynamoDB::Table':
    case 'AWS::DynamoDB::GlobalTable': {
      const ttl = isRecord(p.TimeToLiveSpecification) ? p.TimeToLiveSpecification : undefined;
      parts.push(ttl && ttl.Enabled !== false ? `TTL on attribute "${String(ttl.AttributeName)}"` : 'no TTL');
      const pitr = [...select(p, 'PointInTimeRecoverySpecification'), ...select(p, 'Replicas.*.PointInTimeRecoverySpecification')][0];
      if (pitr && isRecord(pitr.value) && pitr.value.PointInTimeRecoveryEnabled === true) {
        parts.push(`point-in-time recovery ${pitr.value.RecoveryPeriodInDays !== undefined ? `${String(pitr.value.RecoveryPeriodInDays)} days` : '35 days'}`);
      }
      return parts.join('; ');
    }
    case 'AWS::Backup::BackupVault': {
      const days = Object.values(template.Resources ?? {})
        .filter((plan) => plan.Type === 'AWS::Backup::BackupPlan')
        .flatMap((plan) => select(plan.Properties, 'BackupPlan.BackupPlanRule.*'))
        .filter((rule) => isRecord(rule.value) && localReference(rule.value.TargetBackupVault, template) === logicalId)
        .map((rule) => select(rule.value, 'Lifecycle.DeleteAfterDays')[0]?.value);
      return days.length > 0
        ? `recovery points kept ${days.map((d) => (d === undefined ? 'forever' : `${String(d)} days`)).join(', ')}`
        : 'no backup plan rule targets it';
    }
    case 'AWS::KMS::Key': {
      const rotation = p.EnableKeyRotation === true ? `rotation every ${String(p.RotationPeriodInDays ?? 365)} days` : 'no automatic rotation';
      return `${rotation}; deletion window ${String(p.PendingWindowInDays ?? 30)} days`;
    }
    case 'AWS::SQS::Queue':
      return `messages kept ${String(p.MessageRetentionPeriod ?? 345600)} seconds`;
    case 'AWS::SNS::Topic':
      return 'messages are delivered, not stored';
    case 'AWS::S3::Bucket': {
      const days = select(p, 'LifecycleConfiguration.Rules.*.ExpirationInDays').map((d) => String(d.value));
      return days.length > 0 ? `objects expire after ${days.join(', ')} days` : 'objects kept until deleted';
    }
    case 'AWS::Synthetics::Canary':
      return `run records kept ${String(p.SuccessRetentionPeriod ?? 31)} days (success), ${String(p.FailureRetentionPeriod ?? 31)} days (failure)`;
    case 'AWS::Backup::RestoreTestingSelection':
      return `restored table deleted after ${String(p.ValidationWindowHours ?? 24)} hours`;
    default:
      return 'not applicable';
  }
}

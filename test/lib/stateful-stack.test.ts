import { Match } from 'aws-cdk-lib/assertions';
import { sandpit } from '../../config/stages/sandpit';
import { synthStage, type SynthesizedStage } from '../support/synth';

/**
 * Logical ids of the stateful resources. A refactor that changes one of these makes CloudFormation REPLACE the
 * resource: a new empty sessions table, a new signing key NHS login does not know, a new vault. Change them only
 * with a migration plan.
 */
const PINNED_LOGICAL_IDS = {
  'AWS::KMS::Key': ['DataKey2A0DE9E6', 'SigningKeysV1064BD4EC', 'IdentityAssertionKey311C2F67'],
  'AWS::DynamoDB::Table': ['SessionsTableA5E8383B'],
  'AWS::Backup::BackupVault': ['BackupsVault1F11AFCC'],
  'AWS::Backup::BackupPlan': ['BackupsPlanAF2A6E1B'],
};

describe('stateful stack', () => {
  let sandpitStage: SynthesizedStage;
  let production: SynthesizedStage;
  beforeAll(() => {
    sandpitStage = synthStage('sandpit');
    production = synthStage('production');
  });

  it('lives in eu-west-2 in the configured account, never environment-agnostic', () => {
    expect(sandpitStage.rp.stateful.region).toBe('eu-west-2');
    expect(sandpitStage.rp.stateful.account).toBe('111111111111');
    const artifact = sandpitStage.assembly.getStackByName('NhsLoginRp-sandpit-Stateful');
    expect(artifact.environment).toMatchObject({ account: '111111111111', region: 'eu-west-2' });
  });

  it('pins the logical ids of keys, table and vault', () => {
    for (const [type, ids] of Object.entries(PINNED_LOGICAL_IDS)) {
      expect(Object.keys(sandpitStage.stateful.findResources(type)).sort()).toEqual([...ids].sort());
    }
  });

  describe('data key', () => {
    it('is symmetric, single-region, rotated on the configured period', () => {
      sandpitStage.stateful.hasResourceProperties('AWS::KMS::Key', {
        KeySpec: 'SYMMETRIC_DEFAULT',
        EnableKeyRotation: true,
        RotationPeriodInDays: 365,
        MultiRegion: false,
      });
    });

    it('lets CloudWatch Logs use it only for log groups of this account and region', () => {
      const key = sandpitStage.stateful.toJSON().Resources.DataKey2A0DE9E6;
      const logs = key.Properties.KeyPolicy.Statement.find((s: { Sid?: string }) => s.Sid === 'CloudWatchLogsInThisAccountAndRegion');
      expect(logs.Principal).toEqual({ Service: 'logs.eu-west-2.amazonaws.com' });
      expect(logs.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']).toBe('arn:aws:logs:eu-west-2:111111111111:log-group:*');
    });

    it('lets CloudWatch alarms and AWS Backup use it only from this account and region', () => {
      const statements = sandpitStage.stateful.toJSON().Resources.DataKey2A0DE9E6.Properties.KeyPolicy.Statement;
      const alarms = statements.find((s: { Sid?: string }) => s.Sid === 'CloudWatchAlarmsToEncryptedTopic');
      expect(alarms.Condition).toEqual({
        StringEquals: { 'aws:SourceAccount': '111111111111' },
        ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-2:111111111111:alarm:*' },
      });
      const backup = statements.find((s: { Sid?: string }) => s.Sid === 'AwsBackupInThisAccountAndRegion');
      expect(backup.Condition.StringEquals).toEqual({ 'kms:ViaService': 'backup.eu-west-2.amazonaws.com', 'kms:CallerAccount': '111111111111' });
    });

    it('uses the configured rotation period', () => {
      const rotated = synthStage({ ...sandpit, dataKeyRotationDays: 90 });
      rotated.stateful.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'SYMMETRIC_DEFAULT', RotationPeriodInDays: 90 });
    });
  });

  describe('signing keys', () => {
    it('are RSA_2048 SIGN_VERIFY, single-region', () => {
      sandpitStage.stateful.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', MultiRegion: false });
    });

    it('deny kms:Sign to untagged principals and to any algorithm but RS512', () => {
      const statements = sandpitStage.stateful.toJSON().Resources.SigningKeysV1064BD4EC.Properties.KeyPolicy.Statement;
      expect(statements).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Sid: 'OnlyTheTaggedSignerMaySign',
            Effect: 'Deny',
            Action: 'kms:Sign',
            Condition: { StringNotEquals: { 'aws:PrincipalTag/nhs-login-rp:assertion-signer': 'callback' } },
          }),
          expect.objectContaining({
            Sid: 'OnlyRS512',
            Effect: 'Deny',
            Action: 'kms:Sign',
            Condition: { StringNotEquals: { 'kms:SigningAlgorithm': 'RSASSA_PKCS1_V1_5_SHA_512' } },
          }),
        ]),
      );
    });

    it('add a generation beside the current one during rotation, without touching the current key', () => {
      const rotating = synthStage({ ...sandpit, signingKeys: { current: 1, additional: [2] } });
      const keys = rotating.stateful.findResources('AWS::KMS::Key', { Properties: { KeySpec: 'RSA_2048' } });
      expect(Object.keys(keys)).toEqual(expect.arrayContaining(['SigningKeysV1064BD4EC']));
      expect(Object.keys(keys)).toHaveLength(2);
      rotating.stateful.hasOutput('SigningKeyV2Arn', {});
    });

    it('are exported as outputs for the PEM script', () => {
      sandpitStage.stateful.hasOutput('SigningKeyV1Arn', { Value: { 'Fn::GetAtt': ['SigningKeysV1064BD4EC', 'Arn'] } });
    });
  });

  describe('identity assertion key', () => {
    const resource = (stage: SynthesizedStage) => stage.stateful.toJSON().Resources.IdentityAssertionKey311C2F67;

    it('is one ECC_NIST_P256 SIGN_VERIFY key, single-region, apart from the client-assertion keys', () => {
      expect(resource(sandpitStage).Properties).toMatchObject({
        KeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        MultiRegion: false,
        PendingWindowInDays: 30,
      });
      expect(Object.keys(sandpitStage.stateful.findResources('AWS::KMS::Key', { Properties: { KeySpec: 'ECC_NIST_P256' } }))).toEqual([
        'IdentityAssertionKey311C2F67',
      ]);
    });

    it('denies kms:Sign to principals without the asserter tag and to any algorithm but ES256', () => {
      const statements = resource(sandpitStage).Properties.KeyPolicy.Statement;
      const denySignUnless = (Sid: string, key: string, value: string) => ({
        Sid,
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:Sign',
        Resource: '*',
        Condition: { StringNotEquals: { [key]: value } },
      });
      expect(statements).toEqual(
        expect.arrayContaining([
          denySignUnless('OnlyTheTaggedAsserterMaySign', 'aws:PrincipalTag/nhs-login-rp:identity-asserter', 'authorizer'),
          denySignUnless('OnlyES256', 'kms:SigningAlgorithm', 'ECDSA_SHA_256'),
        ]),
      );
    });

    it('is retained where data is retained, disposable in sandpit', () => {
      expect(production.stateful.toJSON().Resources.IdentityAssertionKey311C2F67).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      expect(resource(sandpitStage).DeletionPolicy).toBe('Delete');
    });

    it('is exported as an output and declared in the data map', () => {
      sandpitStage.stateful.hasOutput('IdentityAssertionKeyArn', { Value: { 'Fn::GetAtt': ['IdentityAssertionKey311C2F67', 'Arn'] } });
      expect(resource(sandpitStage).Metadata.UkResidencyDataMap).toEqual({
        purpose: expect.stringMatching(/identity assertion key \(ES256\)/),
        personalData: expect.stringMatching(/^none/),
      });
    });
  });

  describe('sessions table', () => {
    it('is on-demand, encrypted with the data key, with PITR and the shared key schema and TTL', () => {
      sandpitStage.stateful.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': ['DataKey2A0DE9E6', 'Arn'] } },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
    });

    it('is deletion-protected and retained in production, disposable in sandpit', () => {
      production.stateful.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      });
      sandpitStage.stateful.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Delete',
        Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      });
    });

    it('keeps keys in production when the stack is deleted', () => {
      const keys = production.stateful.findResources('AWS::KMS::Key');
      for (const key of Object.values(keys)) expect(key.DeletionPolicy).toBe('Retain');
      expect(production.rp.stateful.terminationProtection).toBe(true);
      expect(sandpitStage.rp.stateful.terminationProtection).toBe(false);
    });

    it('describes the personal data it holds for the data map', () => {
      sandpitStage.stateful.hasResource('AWS::DynamoDB::Table', {
        Metadata: Match.objectLike({ UkResidencyDataMap: { purpose: Match.stringLikeRegexp('sessions'), personalData: Match.stringLikeRegexp('nhs_number') } }),
      });
    });
  });

  describe('backups', () => {
    it('use a vault encrypted with the data key', () => {
      sandpitStage.stateful.hasResourceProperties('AWS::Backup::BackupVault', { EncryptionKeyArn: { 'Fn::GetAtt': ['DataKey2A0DE9E6', 'Arn'] } });
    });

    it('run daily with the configured retention and no copy actions', () => {
      const plans = production.stateful.findResources('AWS::Backup::BackupPlan');
      const rules = Object.values(plans)[0].Properties.BackupPlan.BackupPlanRule;
      expect(rules).toHaveLength(1);
      expect(rules[0].ScheduleExpression).toBe('cron(0 3 * * ? *)');
      expect(rules[0].Lifecycle).toEqual({ DeleteAfterDays: 35 });
      expect(rules[0].CopyActions).toBeUndefined();
    });

    it('select the sessions table', () => {
      sandpitStage.stateful.hasResourceProperties('AWS::Backup::BackupSelection', {
        BackupSelection: Match.objectLike({ Resources: [{ 'Fn::GetAtt': ['SessionsTableA5E8383B', 'Arn'] }] }),
      });
    });
  });
});

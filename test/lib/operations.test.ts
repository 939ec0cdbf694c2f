import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as synthetics from 'aws-cdk-lib/aws-synthetics';
import { integration } from '../../config/stages/integration';
import { production } from '../../config/stages/production';
import { sandpit } from '../../config/stages/sandpit';
import { METRICS, METRICS_NAMESPACE, PROVIDER_CALLS, PROVIDER_ERROR_REASONS, SIGN_IN_FAILURE_REASONS } from '../../lambda/core/metrics-catalogue';
import { SIGN_IN_CHECK_BUNDLE_FILE, SIGN_IN_CHECK_HANDLER, SIGN_IN_CHECK_RUNTIME, signInCheckEnvironment } from '../../lambda/canary/bundle';
import { authorizerName, FUNCTION_NAMES, functionSpec } from '../../lib/function-table';
import { BARE_NHS_NUMBER, LogDataProtection } from '../../lib/log-protection';
import { REFERENCE_PLACEHOLDER } from '../../lib/log-queries';
import { NhsLoginRelyingParty } from '../../lib/relying-party';
import { CANARY_RUNTIME } from '../../lib/synthetic-check';
import { synthStage, type SynthesizedStage } from '../support/synth';

type Resource = { Type: string; Properties: Record<string, any>; UpdatePolicy?: any; DependsOn?: string[]; DeletionPolicy?: string };
const resourcesOf = (t: Template, type: string) => Object.entries(t.findResources(type)) as [string, Resource][];
const one = (t: Template, type: string, prefix: string) => {
  const found = resourcesOf(t, type).filter(([id]) => id === prefix || new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id));
  expect([prefix, found.length]).toEqual([prefix, 1]);
  return found[0][1];
};
/** The metrics an alarm reads (a plain metric or every MetricStat of its metric math). */
const alarmMetrics = (a: Resource): { MetricName: string; Namespace: string; Dimensions: { Name: string; Value: unknown }[] }[] =>
  a.Properties.MetricName
    ? [{ MetricName: a.Properties.MetricName, Namespace: a.Properties.Namespace, Dimensions: a.Properties.Dimensions ?? [] }]
    : (a.Properties.Metrics ?? [])
        .filter((m: any) => m.MetricStat)
        .map((m: any) => ({ ...m.MetricStat.Metric, Dimensions: m.MetricStat.Metric.Dimensions ?? [] }));

describe('operations: production', () => {
  let p: SynthesizedStage;
  let s: SynthesizedStage;
  beforeAll(() => {
    p = synthStage('production');
    s = synthStage('sandpit');
  });

  describe('sign-in health alarms', () => {
    it("alarm when the success ratio (completed / users' starts, metric math) falls below the floor above the minimum volume", () => {
      const a = one(p.stateless, 'AWS::CloudWatch::Alarm', 'MonitoringSignInSuccessRatio');
      expect(a.Properties).toMatchObject({ ComparisonOperator: 'LessThanThreshold', Threshold: 0.5, TreatMissingData: 'notBreaching' });
      const expression = a.Properties.Metrics.find((m: any) => m.Expression);
      // The synthetic check's runs (one started sign-in each, never completed) are taken off the started count.
      expect(expression.Expression).toBe('IF(FILL(started, 0) - FILL(checks, 0) >= 20, FILL(completed, 0) / (FILL(started, 0) - FILL(checks, 0)), 1)');
      expect(
        alarmMetrics(a)
          .map((m) => m.MetricName)
          .sort(),
      ).toEqual(['SignInCompleted', 'SignInStarted', 'SuccessPercent']);
      const checks = a.Properties.Metrics.find((x: any) => x.Id === 'checks');
      expect(checks.MetricStat).toMatchObject({ Stat: 'SampleCount', Metric: { Namespace: 'CloudWatchSynthetics' } });
      for (const m of a.Properties.Metrics.filter((x: any) => x.MetricStat)) expect(m.MetricStat.Period).toBe(900);
    });

    it('take their thresholds from the stage config', () => {
      const tuned = synthStage({
        ...production,
        monitoring: {
          signInSuccessFloor: 0.7,
          signInMinimumStarted: 50,
          signInWindowMinutes: 30,
          providerErrors: 9,
          tokenP99LatencyMs: 1500,
          tokenLatencyMinimumCalls: 40,
          serverErrors: 7,
          serverErrorRate: 0.2,
          authorizerFailures: 11,
        },
      });
      const ratio = one(tuned.stateless, 'AWS::CloudWatch::Alarm', 'MonitoringSignInSuccessRatio');
      expect(ratio.Properties.Threshold).toBe(0.7);
      expect(ratio.Properties.Metrics.find((m: any) => m.Expression).Expression).toContain('>= 50');
      expect(one(tuned.stateless, 'AWS::CloudWatch::Alarm', 'MonitoringProviderTokenErrors').Properties.Threshold).toBe(9);
      const token = one(tuned.stateless, 'AWS::CloudWatch::Alarm', 'MonitoringProviderTokenP99Latency');
      expect(token.Properties.Threshold).toBe(1500);
      expect(token.Properties.Metrics.find((m: any) => m.Expression).Expression).toContain('>= 40');
      const server = one(tuned.stateless, 'AWS::CloudWatch::Alarm', 'MonitoringCallbackServerErrors');
      expect(server.Properties.Threshold).toBe(0.2);
      expect(server.Properties.Metrics.find((m: any) => m.Expression).Expression).toContain('>= 7');
      expect(one(tuned.stateless, 'AWS::CloudWatch::Alarm', 'MonitoringAuthorizerFailures').Properties.Threshold).toBe(11);
    });

    it('alarm on provider errors per call, summing every reason of the closed set', () => {
      for (const call of PROVIDER_CALLS) {
        const a = one(p.stateless, 'AWS::CloudWatch::Alarm', `MonitoringProvider${call.charAt(0).toUpperCase()}${call.slice(1)}Errors`);
        expect(a.Properties).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
        const metrics = alarmMetrics(a);
        expect(metrics).toHaveLength(PROVIDER_ERROR_REASONS.length);
        const reasons = metrics.map((m) => m.Dimensions.find((d) => d.Name === 'reason')?.Value).sort();
        expect(reasons).toEqual([...PROVIDER_ERROR_REASONS].sort());
        for (const m of metrics) expect(m.Dimensions.find((d) => d.Name === 'call')?.Value).toBe(call);
        expect(a.Properties.Metrics.find((m: any) => m.Expression).Expression).toMatch(/^SUM\(\[/);
      }
    });

    it('alarm on the token call p99 latency, judged only from a minimum number of calls, 2 of 3 periods', () => {
      const a = one(p.stateless, 'AWS::CloudWatch::Alarm', 'MonitoringProviderTokenP99Latency');
      expect(a.Properties).toMatchObject({ Threshold: 2000, EvaluationPeriods: 3, DatapointsToAlarm: 2, TreatMissingData: 'notBreaching' });
      expect(a.Properties.Metrics.find((m: any) => m.Expression).Expression).toBe('IF(FILL(calls, 0) >= 10, p99, 0)');
      const byId = Object.fromEntries(a.Properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, m.MetricStat]));
      expect(byId.p99).toMatchObject({ Stat: 'p99', Metric: { Namespace: METRICS_NAMESPACE, MetricName: 'ProviderLatency' } });
      expect(byId.calls).toMatchObject({ Stat: 'SampleCount', Metric: { Namespace: METRICS_NAMESPACE, MetricName: 'ProviderLatency' } });
      for (const stat of [byId.p99, byId.calls]) {
        expect(stat.Metric.Dimensions).toEqual([
          { Name: 'call', Value: 'token' },
          { Name: 'stage', Value: 'production' },
        ]);
      }
    });

    it('read every sign-in metric with exactly [stage, ...its catalogue dimensions] and values from the closed sets', () => {
      const widgets = JSON.stringify(p.stateless.findResources('AWS::CloudWatch::Dashboard'));
      const alarms = resourcesOf(p.stateless, 'AWS::CloudWatch::Alarm').flatMap(([, a]) => alarmMetrics(a));
      const ours = alarms.filter((m) => m.Namespace === METRICS_NAMESPACE);
      expect(ours.length).toBeGreaterThan(10);
      for (const m of ours) {
        const def = METRICS[m.MetricName as keyof typeof METRICS];
        expect(def).toBeDefined();
        expect(m.Dimensions.map((d) => d.Name).sort()).toEqual(['stage', ...Object.keys(def.dimensions)].sort());
        for (const d of m.Dimensions) {
          if (d.Name === 'stage') expect(d.Value).toBe('production');
          else expect((def.dimensions as Record<string, readonly string[]>)[d.Name]).toContain(d.Value);
        }
      }
      expect(widgets).not.toContain('"service"');
    });

    it('show the sign-in funnel and the success ratio on the dashboard', () => {
      const body = JSON.stringify(Object.values(p.stateless.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
      for (const name of ['SignInStarted', 'SignInCompleted', 'SignInFailed', 'ConsentDeclined', 'ProviderLatency', 'ProviderError', 'AuthorizerDenied']) {
        expect(body).toContain(name);
      }
      for (const reason of SIGN_IN_FAILURE_REASONS) expect(body).toContain(`\\"reason\\",\\"${reason}\\"`);
      expect(body).toContain('Sign-in funnel');
      expect(body).toContain('FILL(completed, 0) / (FILL(started, 0) - FILL(checks, 0))');
      expect(body).toContain('SuccessPercent');
    });
  });

  describe('releases', () => {
    it('publish every function as a version behind the live alias, which API Gateway invokes', () => {
      const aliases = resourcesOf(p.stateless, 'AWS::Lambda::Alias');
      expect(aliases).toHaveLength(FUNCTION_NAMES.length);
      for (const [, a] of aliases) {
        expect(a.Properties.Name).toBe('live');
        expect(a.Properties.FunctionVersion).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/CurrentVersion/), 'Version'] });
      }
      const aliasIds = new Set(aliases.map(([id]) => id));
      // Every integration of our own functions and the authorizer point at an alias, and so do the permissions.
      const ownUris = [
        ...resourcesOf(p.stateless, 'AWS::ApiGateway::Method').map(([, m]) => m.Properties.Integration?.Uri),
        ...resourcesOf(p.stateless, 'AWS::ApiGateway::Authorizer').map(([, a]) => a.Properties.AuthorizerUri),
      ].filter((uri) => /Function/.test(JSON.stringify(uri ?? '')));
      expect(ownUris.length).toBeGreaterThan(FUNCTION_NAMES.length - 1);
      for (const uri of ownUris) {
        const refs = [...JSON.stringify(uri).matchAll(/"Ref":"([A-Za-z0-9]+)"/g)].map((x) => x[1]).filter((r) => r.includes('Function'));
        expect(refs.length).toBeGreaterThan(0);
        for (const r of refs) expect(aliasIds).toContain(r);
        expect(JSON.stringify(uri)).not.toMatch(/"Fn::GetAtt":\["[A-Za-z]+Function[0-9A-F]{8}","Arn"\]/);
      }
      for (const [, perm] of resourcesOf(p.stateless, 'AWS::Lambda::Permission')) {
        if (perm.Properties.Principal !== 'apigateway.amazonaws.com') continue;
        const target = JSON.stringify(perm.Properties.FunctionName);
        if (target.includes('arn:aws:lambda')) continue; // a mount's own function
        expect(aliasIds).toContain(perm.Properties.FunctionName.Ref);
      }
    });

    it('roll out through one CodeDeploy deployment group per function, canary 10 % for 5 minutes, rolling back on alarm', () => {
      const config = one(p.stateless, 'AWS::CodeDeploy::DeploymentConfig', 'ReleasesConfig');
      expect(config.Properties.TrafficRoutingConfig).toEqual({ Type: 'TimeBasedCanary', TimeBasedCanary: { CanaryPercentage: 10, CanaryInterval: 5 } });
      const groups = resourcesOf(p.stateless, 'AWS::CodeDeploy::DeploymentGroup');
      expect(groups).toHaveLength(FUNCTION_NAMES.length);
      for (const name of FUNCTION_NAMES) {
        const id = functionSpec(name).constructId;
        const group = one(p.stateless, 'AWS::CodeDeploy::DeploymentGroup', `Releases${id}`);
        expect(group.Properties.AutoRollbackConfiguration).toEqual({
          Enabled: true,
          Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'],
        });
        expect(group.Properties.AlarmConfiguration.Enabled).toBe(true);
        const alarms = group.Properties.AlarmConfiguration.Alarms.map((a: any) => a.Name.Ref);
        // The function's own alarms only: the sign-in success ratio cannot judge a canary (lib/releases.ts).
        expect(alarms).toEqual(
          name === authorizerName()
            ? [expect.stringMatching(new RegExp(`^Monitoring${id}Failures`))]
            : [expect.stringMatching(new RegExp(`^Monitoring${id}Errors`)), expect.stringMatching(new RegExp(`^Monitoring${id}ServerErrors`))],
        );
        expect(alarms.some((a: string) => a.startsWith('MonitoringSignInSuccessRatio'))).toBe(false);
        const alias = one(p.stateless, 'AWS::Lambda::Alias', `${id}FunctionLive`);
        expect(alias.UpdatePolicy.CodeDeployLambdaAliasUpdate.DeploymentGroupName).toEqual({ Ref: expect.stringMatching(new RegExp(`^Releases${id}`)) });
      }
    });

    it("roll back a route function on its live alias's Lambda errors over 1 minute", () => {
      for (const name of FUNCTION_NAMES.filter((n) => n !== authorizerName())) {
        const id = functionSpec(name).constructId;
        const a = one(p.stateless, 'AWS::CloudWatch::Alarm', `Monitoring${id}Errors`);
        expect(a.Properties).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Statistic: 'Sum', Period: 60, Threshold: 1 });
        // The alias's series (FunctionName + Resource "<function>:live"), which counts both versions during a shift.
        const resource = a.Properties.Dimensions.find((d: any) => d.Name === 'Resource');
        expect(JSON.stringify(resource.Value)).toContain(':live');
        expect(JSON.stringify(resource.Value)).toContain(`${id}Function`);
      }
    });

    it('roll back a route function on its answers of 500 or more (ServerError), a count and a share of the alias invocations in 1 minute', () => {
      for (const name of FUNCTION_NAMES.filter((n) => n !== authorizerName())) {
        const id = functionSpec(name).constructId;
        const a = one(p.stateless, 'AWS::CloudWatch::Alarm', `Monitoring${id}ServerErrors`);
        expect(a.Properties).toMatchObject({ Threshold: 0.05, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
        expect(a.Properties.Metrics.find((m: any) => m.Expression).Expression).toBe(
          'IF(FILL(errors, 0) >= 3 AND invocations > 0, FILL(errors, 0) / invocations, 0)',
        );
        const byId = Object.fromEntries(a.Properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, m.MetricStat]));
        expect(byId.errors).toMatchObject({ Period: 60, Stat: 'Sum', Metric: { Namespace: METRICS_NAMESPACE, MetricName: 'ServerError' } });
        expect(byId.errors.Metric.Dimensions).toEqual([
          { Name: 'function', Value: name },
          { Name: 'stage', Value: 'production' },
        ]);
        expect(byId.invocations).toMatchObject({ Period: 60, Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations' } });
        expect(JSON.stringify(byId.invocations.Metric.Dimensions)).toContain(':live');
      }
    });

    it("do not alarm on the authorizer's Lambda errors (every 401 is one); alarm and roll back on its real failures", () => {
      const id = functionSpec(authorizerName()).constructId;
      expect(resourcesOf(p.stateless, 'AWS::CloudWatch::Alarm').filter(([rid]) => rid.startsWith(`Monitoring${id}Errors`))).toHaveLength(0);
      for (const [, a] of resourcesOf(p.stateless, 'AWS::CloudWatch::Alarm')) {
        const lambdaErrors = alarmMetrics(a).filter((m) => m.Namespace === 'AWS/Lambda' && m.MetricName === 'Errors');
        for (const m of lambdaErrors) expect(JSON.stringify(m.Dimensions)).not.toContain(`${id}Function`);
      }
      const a = one(p.stateless, 'AWS::CloudWatch::Alarm', `Monitoring${id}Failures`);
      expect(a.Properties).toMatchObject({ Threshold: 3, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
      expect(a.Properties.Metrics.find((m: any) => m.Expression).Expression).toBe('FILL(unavailable, 0) + FILL(other, 0)');
      const reasons = alarmMetrics(a).map((m) => {
        expect(m.MetricName).toBe('AuthorizerDenied');
        return m.Dimensions.find((d) => d.Name === 'reason')?.Value;
      });
      expect(reasons.sort()).toEqual(['other', 'unavailable']);
      for (const m of a.Properties.Metrics.filter((x: any) => x.MetricStat)) expect(m.MetricStat.Period).toBe(60);
      expect(a.Properties.AlarmDescription).toContain('docs/runbooks/authorizer-failures.md');
      // Its throttles and duration are still alarmed on, and its raw errors stay on the dashboard.
      one(p.stateless, 'AWS::CloudWatch::Alarm', `Monitoring${id}Throttles`);
      one(p.stateless, 'AWS::CloudWatch::Alarm', `Monitoring${id}DurationNearTimeout`);
      const body = JSON.stringify(Object.values(p.stateless.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
      expect(body).toContain('errors include every 401');
    });

    it('keep the sign-in success alarm paging, but not as a rollback alarm', () => {
      const ratio = Object.keys(p.stateless.findResources('AWS::CloudWatch::Alarm')).find((rid) => rid.startsWith('MonitoringSignInSuccessRatio'));
      expect(ratio).toBeDefined();
      const groups = JSON.stringify(p.stateless.findResources('AWS::CodeDeploy::DeploymentGroup'));
      expect(groups).not.toContain(ratio);
    });

    it('ignore the alarms only when releases.ignoreAlarms is set (the emergency override), still rolling back a failed deployment', () => {
      for (const [, g] of resourcesOf(p.stateless, 'AWS::CodeDeploy::DeploymentGroup')) expect(g.Properties.AlarmConfiguration.Enabled).toBe(true);
      const override = synthStage({ ...production, releases: { strategy: 'canary', ignoreAlarms: true } });
      const groups = resourcesOf(override.stateless, 'AWS::CodeDeploy::DeploymentGroup');
      expect(groups).toHaveLength(FUNCTION_NAMES.length);
      for (const [, g] of groups) {
        expect(g.Properties.AlarmConfiguration.Enabled).toBe(false);
        expect(g.Properties.AlarmConfiguration.Alarms.length).toBeGreaterThan(0);
        expect(g.Properties.AutoRollbackConfiguration.Events).toContain('DEPLOYMENT_FAILURE');
      }
      Annotations.fromStack(override.rp.stateless).hasWarning('/NhsLoginRp-production/Stateless/Releases', Match.stringLikeRegexp('ignoreAlarms'));
      expect(override.config.releases.ignoreAlarms).toBe(true);
      expect(p.config.releases.ignoreAlarms).toBe(false);
    });

    it('take a linear configuration from config', () => {
      const linear = synthStage({ ...integration, releases: { strategy: 'linear', percent: 25, intervalMinutes: 2 } });
      expect(one(linear.stateless, 'AWS::CodeDeploy::DeploymentConfig', 'ReleasesConfig').Properties.TrafficRoutingConfig).toEqual({
        Type: 'TimeBasedLinear',
        TimeBasedLinear: { LinearPercentage: 25, LinearInterval: 2 },
      });
    });

    it('deploy all at once in sandpit: aliases, no CodeDeploy', () => {
      expect(resourcesOf(s.stateless, 'AWS::Lambda::Alias')).toHaveLength(FUNCTION_NAMES.length);
      for (const type of ['AWS::CodeDeploy::DeploymentGroup', 'AWS::CodeDeploy::Application', 'AWS::CodeDeploy::DeploymentConfig']) {
        expect([type, resourcesOf(s.stateless, type).length]).toEqual([type, 0]);
      }
    });
  });

  describe('synthetic check', () => {
    it('is a Synthetics canary every 5 minutes running the bundled script with public settings only', () => {
      const c = one(p.stateless, 'AWS::Synthetics::Canary', 'SyntheticCheckCanary');
      expect(c.Properties).toMatchObject({
        Schedule: { Expression: 'rate(5 minutes)' },
        RuntimeVersion: SIGN_IN_CHECK_RUNTIME,
        Code: { Handler: SIGN_IN_CHECK_HANDLER },
        RunConfig: {
          EnvironmentVariables: signInCheckEnvironment({ serviceUrl: 'https://signin.example.nhs.uk', issuer: 'https://auth.login.nhs.uk', pkce: true }),
        },
        StartCanaryAfterCreation: true,
        ArtifactConfig: { S3Encryption: { EncryptionMode: 'SSE_KMS', KmsKeyArn: expect.objectContaining({}) } },
      });
      expect(JSON.stringify(c.Properties.ArtifactConfig)).toContain('DataKey');
      expect(JSON.stringify(c.Properties.RunConfig)).not.toMatch(/secret|password|token|key/i);
      expect(JSON.stringify(c.Properties.ArtifactS3Location)).toContain('SyntheticCheckArtifacts');
    });

    it('is bundled into the layout the Synthetics Node.js runtime loads', () => {
      const dirs = readdirSync(p.assembly.directory).filter((d) => d.startsWith('asset.'));
      const bundled = dirs
        .map((d) => path.join(p.assembly.directory, d, SIGN_IN_CHECK_BUNDLE_FILE))
        .filter((f) => {
          try {
            // The bundle is self-contained: the script and its modules inlined, no import of the repository's files.
            const code = readFileSync(f, 'utf8');
            return code.includes('handler') && !/from ['"]\.\.?\//.test(code);
          } catch {
            return false;
          }
        });
      expect(bundled).toHaveLength(1);
    });

    it('keeps artifacts in a KMS-encrypted, private, TLS-only, expiring bucket of this stack with no replication', () => {
      const b = one(p.stateless, 'AWS::S3::Bucket', 'SyntheticCheckArtifacts');
      expect(JSON.stringify(b.Properties.BucketEncryption)).toContain('DataKey');
      expect(b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(30);
      expect(b.Properties.ReplicationConfiguration).toBeUndefined();
      expect(b.Properties.AccelerateConfiguration).toBeUndefined();
      const policies = resourcesOf(p.stateless, 'AWS::S3::BucketPolicy');
      expect(policies).toHaveLength(2);
      for (const [, bp] of policies) expect(JSON.stringify(bp.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    });

    it('runs on the Synthetics Playwright 6.0 runtime of aws-cdk-lib', () => {
      expect(CANARY_RUNTIME).toBe(synthetics.Runtime.SYNTHETICS_NODEJS_PLAYWRIGHT_6_0);
      expect(one(p.stateless, 'AWS::Synthetics::Canary', 'SyntheticCheckCanary').Properties.RuntimeVersion).toBe('syn-nodejs-playwright-6.0');
    });

    it('logs the artifacts bucket to a separate private bucket with its own key, which S3 log delivery may use for that bucket only', () => {
      const artifacts = one(p.stateless, 'AWS::S3::Bucket', 'SyntheticCheckArtifacts');
      const logsId = resourcesOf(p.stateless, 'AWS::S3::Bucket').find(([rid]) => rid.startsWith('SyntheticCheckAccessLogs'))?.[0];
      const artifactsId = resourcesOf(p.stateless, 'AWS::S3::Bucket').find(([rid]) => rid.startsWith('SyntheticCheckArtifacts'))?.[0];
      expect(artifacts.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'artifacts/' });
      const logs = one(p.stateless, 'AWS::S3::Bucket', 'SyntheticCheckAccessLogs');
      // Never into itself, and the log bucket has no logging of its own (it is the destination).
      expect(logs.Properties.LoggingConfiguration).toBeUndefined();
      expect(JSON.stringify(logs.Properties.BucketEncryption)).toContain('SyntheticCheckAccessLogKey');
      expect(logs.Properties.PublicAccessBlockConfiguration.BlockPublicPolicy).toBe(true);
      expect(logs.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(logs.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(90);
      expect(logs.Properties.ReplicationConfiguration).toBeUndefined();
      // The artifacts bucket is named after the stack's id, so the key can name it without a reference (no cycle).
      expect(JSON.stringify(artifacts.Properties.BucketName)).toMatch(/rp-production-canary-.*AWS::StackId/);
      const bound = { StringEquals: { 'aws:SourceAccount': expect.anything() }, ArnEquals: { 'aws:SourceArn': expect.anything() } };
      const sourceOf = (st: any) => JSON.stringify(st.Condition.ArnEquals['aws:SourceArn']);
      const logPolicy = resourcesOf(p.stateless, 'AWS::S3::BucketPolicy').find(([, bp]) => JSON.stringify(bp.Properties.Bucket).includes(logsId as string));
      const delivery = logPolicy?.[1].Properties.PolicyDocument.Statement.find((st: any) => st.Principal?.Service === 'logging.s3.amazonaws.com');
      expect(delivery).toMatchObject({ Effect: 'Allow', Action: 's3:PutObject', Condition: bound });
      expect(sourceOf(delivery)).toMatch(new RegExp(`${artifactsId}|rp-production-canary-`));
      const key = one(p.stateless, 'AWS::KMS::Key', 'SyntheticCheckAccessLogKey');
      expect(key.Properties.EnableKeyRotation).toBe(true);
      const keyDelivery = key.Properties.KeyPolicy.Statement.filter((st: any) => JSON.stringify(st.Principal ?? {}).includes('logging.s3.amazonaws.com'));
      expect(keyDelivery).toHaveLength(1);
      expect(keyDelivery[0]).toMatchObject({ Action: 'kms:GenerateDataKey*', Condition: bound });
      expect(sourceOf(keyDelivery[0])).toMatch(/arn:.*s3:::rp-production-canary-.*AWS::StackId/);
      // The data key no longer serves S3 log delivery at all.
      const dataKey = one(p.stateful, 'AWS::KMS::Key', 'DataKey');
      expect(JSON.stringify(dataKey.Properties.KeyPolicy)).not.toContain('logging.s3.amazonaws.com');
    });

    it("follows the stage's retainData: retained in production, destroyed in sandpit, with no auto-delete function", () => {
      for (const prefix of ['SyntheticCheckArtifacts', 'SyntheticCheckAccessLogs', 'SyntheticCheckAccessLogKey']) {
        const type = prefix.endsWith('Key') ? 'AWS::KMS::Key' : 'AWS::S3::Bucket';
        expect([prefix, one(p.stateless, type, prefix).DeletionPolicy]).toEqual([prefix, 'Retain']);
        expect([prefix, one(s.stateless, type, prefix).DeletionPolicy]).toEqual([prefix, 'Delete']);
      }
      expect(resourcesOf(s.stateless, 'Custom::S3AutoDeleteObjects')).toHaveLength(0);
    });

    it('has a role of its own with one managed policy and no inline policy, writing only its own prefix', () => {
      const role = one(p.stateless, 'AWS::IAM::Role', 'SyntheticCheckRole');
      expect(role.Properties.Policies).toBeUndefined();
      expect(role.Properties.ManagedPolicyArns).toEqual([{ Ref: expect.stringMatching(/^SyntheticCheckPolicy/) }]);
      const statements = one(p.stateless, 'AWS::IAM::ManagedPolicy', 'SyntheticCheckPolicy').Properties.PolicyDocument.Statement;
      const actions = statements.flatMap((st: any) => [st.Action].flat()).sort();
      expect(actions).toEqual(
        [
          'cloudwatch:PutMetricData',
          'kms:Decrypt',
          'kms:GenerateDataKey',
          'logs:CreateLogGroup',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          's3:GetBucketLocation',
          's3:ListAllMyBuckets',
          's3:PutObject',
        ].sort(),
      );
      expect(resourcesOf(p.stateless, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('SyntheticCheck'))).toHaveLength(0);
    });

    it('alarms to the alarm topic when it fails or stops running', () => {
      const a = one(p.stateless, 'AWS::CloudWatch::Alarm', 'MonitoringSyntheticCheckFailed');
      expect(a.Properties).toMatchObject({
        Namespace: 'CloudWatchSynthetics',
        MetricName: 'SuccessPercent',
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 100,
        EvaluationPeriods: 2,
        TreatMissingData: 'breaching',
        AlarmActions: [{ Ref: expect.stringMatching(/^MonitoringAlarmTopic/) }],
      });
    });
  });

  describe('log data protection', () => {
    const groupsOf = (stage: SynthesizedStage) => [stage.stateful, stage.stateless].flatMap((t) => resourcesOf(t, 'AWS::Logs::LogGroup'));

    it('puts the policy on every log group but the audit one, auditing to the encrypted audit group', () => {
      const groups = groupsOf(p);
      expect(groups.length).toBeGreaterThan(FUNCTION_NAMES.length + 2);
      const audit = groups.filter(([id]) => id.startsWith('LogDataProtectionAuditLogs'));
      expect(audit).toHaveLength(1);
      expect(JSON.stringify(audit[0][1].Properties.KmsKeyId)).toContain('DataKey');
      for (const [id, g] of groups) {
        if (id === audit[0][0]) {
          expect(g.Properties.DataProtectionPolicy).toBeUndefined();
          continue;
        }
        const policy = g.Properties.DataProtectionPolicy;
        expect([id, policy !== undefined]).toEqual([id, true]);
        const identifiers = policy.Statement[0].DataIdentifier.map((d: unknown) => JSON.stringify(d));
        expect(identifiers.join(' ')).toContain('data-identifier/NhsNumber-GB');
        expect(identifiers.join(' ')).toContain('data-identifier/EmailAddress');
        expect(policy.Statement[0].DataIdentifier).toContain(BARE_NHS_NUMBER.name);
        expect(policy.Configuration.CustomDataIdentifier).toEqual([{ Name: BARE_NHS_NUMBER.name, Regex: BARE_NHS_NUMBER.regex }]);
        expect(policy.Statement[0].Operation.Audit.FindingsDestination.CloudWatchLogs.LogGroup).toEqual({ Ref: audit[0][0] });
        expect(policy.Statement[1].Operation).toEqual({ Deidentify: { MaskConfig: {} } });
      }
    });

    it('catches a log group added by anyone (an aspect), and is off in sandpit by default', () => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const rp = new NhsLoginRelyingParty(app, 'NhsLoginRp-production', { config: production });
      new logs.LogGroup(rp.stateless, 'SomeoneElsesLogs', { retention: logs.RetentionDays.ONE_MONTH });
      const template = Template.fromStack(rp.stateless);
      const [[, added]] = Object.entries(template.findResources('AWS::Logs::LogGroup')).filter(([id]) => id.startsWith('SomeoneElsesLogs'));
      expect(added.Properties.DataProtectionPolicy).toBeDefined();
      for (const [, g] of groupsOf(s)) expect(g.Properties.DataProtectionPolicy).toBeUndefined();
      expect(groupsOf(s).filter(([id]) => id.startsWith('LogDataProtection'))).toHaveLength(0);
      const on = synthStage({ ...sandpit, logDataProtection: true });
      for (const [id, g] of groupsOf(on)) if (!id.startsWith('LogDataProtection')) expect(g.Properties.DataProtectionPolicy).toBeDefined();
    });

    it('fails a stack without an audit group on a log group without the policy (the guard)', () => {
      const stack = new Stack(new App(), 'Guarded', { env: { account: '333333333333', region: 'eu-west-2' } });
      new logs.LogGroup(stack, 'Unprotected');
      LogDataProtection.guard(stack);
      Annotations.fromStack(stack).hasError('/Guarded/Unprotected/Resource', Match.stringLikeRegexp('data protection policy'));
    });

    it('masks a bare NHS number but not a 10-digit Unix time', () => {
      const re = new RegExp(BARE_NHS_NUMBER.regex);
      expect(re.test('nhs 9434765919 x')).toBe(true);
      expect(re.test('"n":"4857773456"')).toBe(true);
      expect(re.test('iat 1764628800')).toBe(false);
      expect(re.test('id 94347659190')).toBe(false);
    });
  });

  describe('saved queries', () => {
    it('define failed sign-ins by reason, one support reference, authorizer denials and provider errors', () => {
      const defs = resourcesOf(p.stateless, 'AWS::Logs::QueryDefinition').map(([, d]) => d.Properties);
      const byName = Object.fromEntries(defs.map((d) => [d.Name, d]));
      expect(Object.keys(byName).sort()).toEqual(
        ['nhs-login-rp/authorizer-denials', 'nhs-login-rp/failed-sign-ins-by-reason', 'nhs-login-rp/provider-errors', 'nhs-login-rp/support-reference'].sort(),
      );
      expect(byName['nhs-login-rp/failed-sign-ins-by-reason'].QueryString).toMatch(/event = 'request_failed'[\s\S]*stats count\(\*\) as failures by reason/);
      expect(byName['nhs-login-rp/support-reference'].QueryString).toContain(`reference = '${REFERENCE_PLACEHOLDER}'`);
      expect(byName['nhs-login-rp/authorizer-denials'].QueryString).toContain('authorizer_denied');
      expect(byName['nhs-login-rp/provider-errors'].QueryString).toContain('upstreamStatus');
      for (const d of defs) expect(d.LogGroupNames.length).toBeGreaterThan(0);
      expect(byName['nhs-login-rp/failed-sign-ins-by-reason'].LogGroupNames).toHaveLength(FUNCTION_NAMES.length);
    });

    it('look up the reference field the failure log lines carry', () => {
      const http = readFileSync(path.join(__dirname, '..', '..', 'lambda', 'handlers', 'http.ts'), 'utf8');
      expect(http).toMatch(/event: 'request_failed'[\s\S]*reference,/);
    });
  });

  describe('backups', () => {
    it('lock the vault in compliance mode in production, governance in integration, none in sandpit, without replacing it', () => {
      expect(one(p.stateful, 'AWS::Backup::BackupVault', 'BackupsVault1F11AFCC').Properties.LockConfiguration).toEqual({
        MinRetentionDays: 35,
        MaxRetentionDays: 365,
        ChangeableForDays: 3,
      });
      const i = synthStage('integration');
      expect(one(i.stateful, 'AWS::Backup::BackupVault', 'BackupsVault1F11AFCC').Properties.LockConfiguration).toEqual({
        MinRetentionDays: 7,
        MaxRetentionDays: 90,
      });
      expect(one(s.stateful, 'AWS::Backup::BackupVault', 'BackupsVault1F11AFCC').Properties.LockConfiguration).toBeUndefined();
    });

    it('test a restore of the sessions table weekly into a temporary table encrypted with the data key, deleted after validation', () => {
      const plan = one(p.stateful, 'AWS::Backup::RestoreTestingPlan', 'RestoreTestingPlan');
      expect(plan.Properties).toMatchObject({
        ScheduleExpression: 'cron(0 5 ? * MON *)',
        RecoveryPointSelection: {
          Algorithm: 'LATEST_WITHIN_WINDOW',
          IncludeVaults: [{ 'Fn::GetAtt': ['BackupsVault1F11AFCC', 'BackupVaultArn'] }],
          RecoveryPointTypes: ['SNAPSHOT'],
          SelectionWindowDays: 7,
        },
      });
      const selection = one(p.stateful, 'AWS::Backup::RestoreTestingSelection', 'RestoreTestingSelection');
      expect(selection.Properties).toMatchObject({
        ProtectedResourceType: 'DynamoDB',
        ProtectedResourceArns: [{ 'Fn::GetAtt': ['SessionsTableA5E8383B', 'Arn'] }],
        RestoreMetadataOverrides: { encryptionType: 'KMS', kmsMasterKeyArn: { 'Fn::GetAtt': ['DataKey2A0DE9E6', 'Arn'] } },
        ValidationWindowHours: 4,
        RestoreTestingPlanName: plan.Properties.RestoreTestingPlanName,
      });
    });

    it('alarm when a backup job fails', () => {
      const a = one(p.stateless, 'AWS::CloudWatch::Alarm', 'MonitoringBackupJobFailed');
      expect(a.Properties).toMatchObject({
        Namespace: 'AWS/Backup',
        MetricName: 'NumberOfBackupJobsFailed',
        Dimensions: [{ Name: 'ResourceType', Value: 'DynamoDB' }],
        Statistic: 'Sum',
        Threshold: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: expect.stringMatching(/^MonitoringAlarmTopic/) }],
      });
      expect(a.Properties.AlarmDescription).toContain('docs/runbooks/backup-jobs.md');
    });

    it('send failed restore jobs and failed restore test deletions from EventBridge to the alarm topic, naming the runbook', () => {
      const rules = resourcesOf(p.stateless, 'AWS::Events::Rule');
      const byName = Object.fromEntries(rules.map(([rid, r]) => [r.Properties.Name, { rid, r }]));
      const failed = byName['nhs-login-rp-production-backup-restore-failed'];
      const deletion = byName['nhs-login-rp-production-backup-restore-deletion-failed'];
      expect(failed.r.Properties.EventPattern).toMatchObject({
        source: ['aws.backup'],
        'detail-type': ['Restore Job State Change'],
        detail: { status: ['FAILED'] },
      });
      expect(deletion.r.Properties.EventPattern).toMatchObject({
        source: ['aws.backup'],
        'detail-type': ['Restore Job State Change'],
        detail: { deletionStatus: ['FAILED'] },
      });
      for (const { r } of [failed, deletion]) {
        expect(r.Properties.Targets).toHaveLength(1);
        const [target] = r.Properties.Targets;
        expect(target.Arn).toEqual({ Ref: expect.stringMatching(/^MonitoringAlarmTopic/) });
        expect(target.InputTransformer.InputTemplate).toContain('Runbook: docs/runbooks/restore-test.md');
        expect(target.InputTransformer.InputPathsMap).toMatchObject({ 'detail-restoreJobId': '$.detail.restoreJobId' });
      }
      // The topic lets EventBridge publish for exactly these rules (not any rule of any account).
      const topicPolicies = resourcesOf(p.stateless, 'AWS::SNS::TopicPolicy').flatMap(([, tp]) => tp.Properties.PolicyDocument.Statement);
      const fromEvents = topicPolicies.filter((st: any) => st.Principal?.Service === 'events.amazonaws.com');
      expect(fromEvents).toHaveLength(1);
      expect(fromEvents[0]).toMatchObject({ Effect: 'Allow', Action: 'sns:Publish' });
      expect(fromEvents[0].Condition.ArnEquals['aws:SourceArn'].sort((a: any, b: any) => a['Fn::GetAtt'][0].localeCompare(b['Fn::GetAtt'][0]))).toEqual(
        [failed.rid, deletion.rid].sort().map((rid) => ({ 'Fn::GetAtt': [rid, 'Arn'] })),
      );
      // The data key lets EventBridge encrypt for the topic, for this stage's backup rules of this account only.
      const key = one(p.stateful, 'AWS::KMS::Key', 'DataKey');
      const forEvents = key.Properties.KeyPolicy.Statement.filter((st: any) => JSON.stringify(st.Principal ?? {}).includes('events.amazonaws.com'));
      expect(forEvents).toHaveLength(1);
      expect(forEvents[0].Action.sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
      expect(forEvents[0].Condition.StringEquals['aws:SourceAccount']).toBeDefined();
      expect(JSON.stringify(forEvents[0].Condition.ArnLike['aws:SourceArn'])).toContain(':rule/nhs-login-rp-production-backup-*');
      // And a notification that could not be delivered raises an alarm.
      const undelivered = one(p.stateless, 'AWS::CloudWatch::Alarm', 'MonitoringBackupNotificationUndelivered');
      const names = alarmMetrics(undelivered).map((m) => {
        expect(m).toMatchObject({ Namespace: 'AWS/Events', MetricName: 'FailedInvocations' });
        return JSON.stringify(m.Dimensions);
      });
      expect(names).toHaveLength(2);
    });

    it('alarm when a restore job fails', () => {
      const a = one(p.stateless, 'AWS::CloudWatch::Alarm', 'MonitoringRestoreTestFailed');
      expect(a.Properties).toMatchObject({
        Namespace: 'AWS/Backup',
        MetricName: 'NumberOfRestoreJobsFailed',
        Dimensions: [{ Name: 'ResourceType', Value: 'DynamoDB' }],
        Threshold: 1,
        AlarmActions: [{ Ref: expect.stringMatching(/^MonitoringAlarmTopic/) }],
      });
    });
  });
});

import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/schema';
import { assetFilesToBundle } from '../lambda/pages/asset-sources';
import { toFunctionEnvironment } from '../lambda/settings';
import { SignInApi } from './api';
import type { IdentityAssertionKey, SigningKeys } from './keys';
import { LogDataProtection } from './log-protection';
import { LogQueries } from './log-queries';
import { Monitoring } from './monitoring';
import { allRoutes, authorizerName, FUNCTION_NAMES, functionSpec, type FunctionName, type RouteAccess } from './function-table';
import { FunctionBaseline, RelyingPartyFunction } from './relying-party-function';
import { Releases } from './releases';
import { runtimeSettingsFor, serviceOriginOf } from './runtime-settings';
import type { SessionStore } from './session-store';
import { SyntheticCheck } from './synthetic-check';
import { RegionalWaf } from './waf';

export interface StatelessStackProps extends StackProps {
  readonly config: StageConfig;
  readonly dataKey: kms.IKey;
  readonly signingKeys: SigningKeys;
  readonly assertionKey: IdentityAssertionKey;
  readonly sessionStore: SessionStore;
  /**
   * Network Load Balancers to create the VPC link of a `vpcLink` mount from, keyed by the mount's path (e.g.
   * `{ '/app': nlb }`). For such a mount the stack creates an API Gateway VPC link to the load balancer and forwards
   * to the load balancer's DNS name, in place of the mount's configured `vpcLinkId` and `nlbDnsName`. A path that is
   * not a `vpcLink` mount of the stage fails synthesis.
   * @default {} (every vpcLink mount uses the existing VPC link and DNS name its config names)
   */
  readonly mountLoadBalancers?: Readonly<Record<string, elbv2.INetworkLoadBalancer>>;
}

/**
 * Everything that can be replaced without losing data: functions, API (with the stage's mounts), WAF, log groups,
 * alarms and dashboard.
 */
export class StatelessStack extends Stack {
  readonly functions: Record<FunctionName, RelyingPartyFunction>;
  readonly api: SignInApi;
  readonly waf: RegionalWaf;
  readonly monitoring: Monitoring;
  readonly releases: Releases;
  readonly syntheticCheck: SyntheticCheck;
  readonly logQueries: LogQueries;
  /** The data protection policy on every log group, and its audit log group (when the stage turns it on). */
  readonly logDataProtection?: LogDataProtection;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, dataKey, signingKeys, assertionKey, sessionStore } = props;
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    const environment = toFunctionEnvironment(
      runtimeSettingsFor(config, {
        sessionTableName: sessionStore.table.tableName,
        signingKeyId: signingKeys.current.keyArn,
        assertionKeyId: assertionKey.key.keyArn,
      }),
    );

    const baseline = new FunctionBaseline(this, 'FunctionBaseline');
    const functions = {} as Record<FunctionName, RelyingPartyFunction>;
    for (const name of FUNCTION_NAMES) {
      const spec = functionSpec(name);
      const fn = new RelyingPartyFunction(this, `${spec.constructId}Function`, {
        handlerName: name,
        description: spec.description,
        environment,
        logKey: dataKey,
        logRetention,
        retainLogs: config.retainData,
        reservedConcurrency: config.reservedConcurrency[name],
        timeout: Duration.seconds(spec.timeoutSeconds),
        memorySize: spec.memorySize,
        baseline: baseline.policy,
        ...(spec.bundlesAssets ? { bundledFiles: assetFilesToBundle().map((f) => ({ source: f.source, target: `assets/${f.name}` })) } : {}),
      });
      sessionStore.grant(fn, spec.dynamodb);
      if (spec.signsClientAssertions) signingKeys.grantSign(fn);
      assertionKey.grant(fn, spec.assertionKey);
      functions[name] = fn;
    }
    this.functions = functions;

    const routesWith = (access: RouteAccess) =>
      allRoutes()
        .filter((r) => r.access === access)
        // API Gateway invokes the live alias, never the unqualified function: that is what a release shifts.
        .map((r) => ({ method: r.method, path: r.path, handler: functions[r.fn].alias }));
    this.api = new SignInApi(this, 'SignInApi', {
      publicRoutes: routesWith('public'),
      protectedRoutes: routesWith('session'),
      authorizer: functions[authorizerName()].alias,
      mounts: config.mounts,
      mountLoadBalancers: props.mountLoadBalancers,
      logKey: dataKey,
      logRetention,
      retainLogs: config.retainData,
      throttleRateLimit: config.api.throttleRateLimit,
      throttleBurstLimit: config.api.throttleBurstLimit,
      customDomain: config.customDomain,
    });

    this.waf = new RegionalWaf(this, 'Waf', {
      resourceArn: this.api.stageArn,
      rateLimitPer5Minutes: config.waf.rateLimitPer5Minutes,
      logKey: dataKey,
      logRetention,
      retainLogs: config.retainData,
    });

    this.syntheticCheck = new SyntheticCheck(this, 'SyntheticCheck', {
      stage: config.stage,
      serviceUrl: serviceOriginOf(config),
      nhsLoginIssuer: config.nhsLogin.issuer,
      pkce: config.nhsLogin.pkce,
      encryptionKey: dataKey,
      artifactDays: config.monitoring.canaryArtifactDays,
      retain: config.retainData,
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      alarmEmails: config.alarmEmails,
      topicKey: dataKey,
      functions,
      api: this.api.api,
      table: sessionStore.table,
      webAcl: this.waf.webAcl,
      stage: config.stage,
      signIn: config.monitoring,
      canary: this.syntheticCheck.canary,
    });

    this.releases = new Releases(this, 'Releases', {
      functions,
      releases: config.releases,
      rollbackAlarms: this.monitoring.rollbackAlarms,
    });

    const logGroupOf = (name: FunctionName) => functions[name].logGroup;
    this.logQueries = new LogQueries(this, 'LogQueries', {
      functionLogGroups: FUNCTION_NAMES.map(logGroupOf),
      authorizerLogGroup: logGroupOf(authorizerName()),
      providerLogGroups: FUNCTION_NAMES.map(logGroupOf),
    });

    // Every log group of this stack, whoever created it, gets the data protection policy (an aspect).
    if (config.logDataProtection) {
      this.logDataProtection = new LogDataProtection(this, 'LogDataProtection', {
        encryptionKey: dataKey,
        retention: logRetention,
        retain: config.retainData,
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url, description: 'execute-api URL of the live stage' });
    new CfnOutput(this, 'BackendClientCertificateId', {
      value: this.api.clientCertificate.ref,
      description: 'The client certificate API Gateway presents to HTTP backends: aws apigateway get-client-certificate gives its PEM',
    });
    if (this.api.domainName) {
      new CfnOutput(this, 'CustomDomainTarget', {
        value: this.api.domainName.domainNameAliasDomainName,
        description: `Point ${config.customDomain?.domainName} (alias/CNAME) at this regional target`,
      });
    }
  }
}

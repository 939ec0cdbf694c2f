import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/schema';
import { toFunctionEnvironment } from '../lambda/settings';
import { SignInApi } from './api';
import type { SigningKeys } from './keys';
import { Monitoring } from './monitoring';
import { allRoutes, authorizerName, FUNCTION_NAMES, functionSpec, type FunctionName, type RouteAccess } from './function-table';
import { FunctionBaseline, RelyingPartyFunction } from './relying-party-function';
import { runtimeSettingsFor } from './runtime-settings';
import type { SessionStore } from './session-store';
import { RegionalWaf } from './waf';

export interface StatelessStackProps extends StackProps {
  readonly config: StageConfig;
  readonly dataKey: kms.IKey;
  readonly signingKeys: SigningKeys;
  readonly sessionStore: SessionStore;
}

/**
 * Everything that can be replaced without losing data: functions, API, WAF, log groups, alarms and dashboard.
 */
export class StatelessStack extends Stack {
  readonly functions: Record<FunctionName, RelyingPartyFunction>;
  readonly api: SignInApi;
  readonly waf: RegionalWaf;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, dataKey, signingKeys, sessionStore } = props;
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    const environment = toFunctionEnvironment(
      runtimeSettingsFor(config, { sessionTableName: sessionStore.table.tableName, signingKeyId: signingKeys.current.keyArn }),
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
      });
      sessionStore.grant(fn, spec.dynamodb);
      if (spec.signsClientAssertions) signingKeys.grantSign(fn);
      functions[name] = fn;
    }
    this.functions = functions;

    const routesWith = (access: RouteAccess) =>
      allRoutes()
        .filter((r) => r.access === access)
        .map((r) => ({ method: r.method, path: r.path, handler: functions[r.fn].function }));
    this.api = new SignInApi(this, 'SignInApi', {
      publicRoutes: routesWith('public'),
      protectedRoutes: routesWith('session'),
      authorizer: functions[authorizerName()].function,
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

    this.monitoring = new Monitoring(this, 'Monitoring', {
      alarmEmails: config.alarmEmails,
      topicKey: dataKey,
      functions,
      api: this.api.api,
      table: sessionStore.table,
      webAcl: this.waf.webAcl,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url, description: 'execute-api URL of the live stage' });
    if (this.api.domainName) {
      new CfnOutput(this, 'CustomDomainTarget', {
        value: this.api.domainName.domainNameAliasDomainName,
        description: `Point ${config.customDomain?.domainName} (alias/CNAME) at this regional target`,
      });
    }
  }
}

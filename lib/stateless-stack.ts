import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { toFunctionEnvironment } from '../lambda/settings';
import { SignInApi } from './api';
import type { SigningKeys } from './keys';
import { Monitoring } from './monitoring';
import { FunctionBaseline, RelyingPartyFunction } from './relying-party-function';
import { runtimeSettingsFor } from './runtime-settings';
import type { SessionStore, SessionTableAccess } from './session-store';
import { pascal } from './naming';
import { RegionalWaf } from './waf';

export interface StatelessStackProps extends StackProps {
  readonly config: StageConfig;
  readonly dataKey: kms.IKey;
  readonly signingKeys: SigningKeys;
  readonly sessionStore: SessionStore;
}

/** One function per route, with exactly the table access it needs. */
interface FunctionSpec {
  readonly description: string;
  readonly table: readonly SessionTableAccess[];
  readonly timeout: Duration;
  readonly memorySize: number;
}

/** Keys match `StageConfig['reservedConcurrency']` and the entry points under `lambda/handlers/`. */
const FUNCTIONS = {
  login: { description: 'GET /auth/login: starts NHS login sign-in', table: ['read', 'write'], timeout: Duration.seconds(10), memorySize: 256 },
  callback: {
    description: 'GET /auth/callback: token exchange, ID token checks, session creation',
    table: ['read', 'write', 'delete'],
    timeout: Duration.seconds(20),
    memorySize: 512,
  },
  logout: { description: 'POST /auth/logout: ends the session', table: ['delete'], timeout: Duration.seconds(5), memorySize: 256 },
  'signed-out': { description: 'GET /auth/signed-out: the signed-out page', table: [], timeout: Duration.seconds(5), memorySize: 128 },
  session: { description: 'GET /auth/session: the current session as JSON (never extends it)', table: ['read'], timeout: Duration.seconds(5), memorySize: 256 },
  authorizer: { description: '/api/* REQUEST authorizer: session and minimum assurance', table: ['read', 'write'], timeout: Duration.seconds(5), memorySize: 256 },
  me: { description: 'GET /api/me: the signed-in user\'s public claims', table: [], timeout: Duration.seconds(5), memorySize: 128 },
} satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTIONS;

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
    for (const [name, spec] of Object.entries(FUNCTIONS) as [FunctionName, FunctionSpec][]) {
      const fn = new RelyingPartyFunction(this, `${pascal(name)}Function`, {
        handlerName: name,
        description: spec.description,
        environment,
        logKey: dataKey,
        logRetention,
        retainLogs: config.retainData,
        reservedConcurrency: config.reservedConcurrency[name],
        timeout: spec.timeout,
        memorySize: spec.memorySize,
        baseline: baseline.policy,
      });
      if (spec.table.length > 0) sessionStore.grant(fn, ...spec.table);
      functions[name] = fn;
    }
    signingKeys.grantSign(functions.callback);
    this.functions = functions;

    const handler = (name: FunctionName) => functions[name].function;
    this.api = new SignInApi(this, 'SignInApi', {
      publicRoutes: [
        { method: 'GET', path: '/auth/login', handler: handler('login') },
        { method: 'GET', path: '/auth/callback', handler: handler('callback') },
        { method: 'POST', path: '/auth/logout', handler: handler('logout') },
        { method: 'GET', path: '/auth/signed-out', handler: handler('signed-out') },
        { method: 'GET', path: '/auth/session', handler: handler('session') },
      ],
      protectedRoutes: [{ method: 'GET', path: '/api/me', handler: handler('me') }],
      authorizer: handler('authorizer'),
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

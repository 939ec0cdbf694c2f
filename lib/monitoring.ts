import { Duration, Fn, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as synthetics from 'aws-cdk-lib/aws-synthetics';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { StageConfig } from '../config/schema';
import { FUNCTION_DIMENSION_VALUES, PROVIDER_CALLS } from '../lambda/core/metrics-catalogue';
import { BACKUP_EVENT_RULE_PREFIX } from './backups';
import { authorizerName, functionSpec, type FunctionName } from './function-table';
import type { RelyingPartyFunction } from './relying-party-function';
import { declareData } from './residency/data-map-metadata';
import { alarmDescription, runbookFor, type RunbookName } from './runbooks';
import { SignInMetrics } from './sign-in-metrics';

/** Alarm thresholds; the defaults suit a sign-in front door with modest traffic. */
export interface AlarmThresholds {
  /** Share of API requests answered 5XX in 5 minutes. @default 0.05 */
  readonly api5xxRate?: number;
  /** Share of API requests answered 4XX in 5 minutes (only counted above 50 requests). @default 0.3 */
  readonly api4xxRate?: number;
  /** p99 latency of the API in milliseconds. @default 3000 */
  readonly apiP99LatencyMs?: number;
  /** Requests blocked by WAF in 5 minutes. @default 200 */
  readonly wafBlockedRequests?: number;
  /** Share of a function's timeout its p99 duration may reach. @default 0.8 */
  readonly durationShareOfTimeout?: number;
}

export interface MonitoringProps {
  readonly alarmEmails: readonly string[];
  readonly topicKey: kms.IKey;
  readonly functions: Readonly<Record<FunctionName, RelyingPartyFunction>>;
  readonly api: apigw.RestApi;
  readonly table: dynamodb.ITable;
  readonly webAcl: wafv2.CfnWebACL;
  /** The stage name: the `stage` dimension of the sign-in metrics. */
  readonly stage: string;
  /** The sign-in health thresholds and the runbook base URL (`monitoring` in the stage config). */
  readonly signIn: StageConfig['monitoring'];
  /** The synthetic sign-in check, whose success is alarmed on. */
  readonly canary: synthetics.Canary;
  readonly thresholds?: AlarmThresholds;
}

const FIVE_MINUTES = Duration.minutes(5);
/** The period of the rollback alarms: short enough to judge a 10 % canary of 5 minutes. */
const ONE_MINUTE = Duration.minutes(1);
const TABLE_OPERATIONS = [dynamodb.Operation.GET_ITEM, dynamodb.Operation.PUT_ITEM, dynamodb.Operation.UPDATE_ITEM, dynamodb.Operation.DELETE_ITEM];

interface AlarmOptions {
  readonly comparison?: cloudwatch.ComparisonOperator;
  readonly missing?: cloudwatch.TreatMissingData;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
}

/**
 * Alarms to an encrypted SNS topic and a dashboard of the same signals: infrastructure (functions, API, table,
 * WAF), sign-in health from the metrics catalogue, the synthetic sign-in check and the weekly restore test. Every
 * alarm's description names its runbook (`docs/runbooks/`).
 *
 * Missing data, decided per alarm:
 * - NOT breaching for everything measured from traffic (errors, latency, throttles, blocks, the sign-in success
 *   ratio, provider errors and latency): those series only exist when someone uses the service, and no traffic at
 *   night is not an incident. The success ratio is also judged only above a minimum number of sign-ins started.
 * - NOT breaching for backup and restore job failures: those metrics exist only when a job ran.
 * - BREACHING for the synthetic check: it runs every 5 minutes whatever the traffic, so no data means the check
 *   itself stopped, and then nothing is watching whether a sign-in can start. This is what covers absence of traffic.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  /**
   * The alarms a release of each function rolls back on (`lib/releases.ts`), all over 1 minute: for a route function,
   * its `live` alias's Lambda errors (crashes, timeouts) and its answers of 500 or more (`ServerError`: route
   * functions answer a page for every error they catch, so Lambda counts only what they cannot catch); for the
   * authorizer, its real failures (`AuthorizerFailures`), not its Lambda errors, which count every 401.
   */
  readonly rollbackAlarms = {} as Record<FunctionName, cloudwatch.Alarm[]>;
  /**
   * Sign-in success ratio below the floor: an incident alarm (it pages), not a rollback alarm, because its window and
   * minimum volume cannot judge a canary (see `lib/releases.ts`).
   */
  readonly signInSuccessAlarm: cloudwatch.Alarm;
  /** EventBridge rules sending AWS Backup restore failures (the job, or the deletion of a restore test) to the topic. */
  readonly backupEventRules: events.Rule[] = [];
  /** The synthetic check failing or not running. */
  readonly canaryAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const t = {
      api5xxRate: 0.05,
      api4xxRate: 0.3,
      apiP99LatencyMs: 3000,
      wafBlockedRequests: 200,
      durationShareOfTimeout: 0.8,
      ...props.thresholds,
    };
    const s = props.signIn;
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'NHS login relying party alarms',
      masterKey: props.topicKey,
      enforceSSL: true,
    });
    declareData(this.topic, {
      purpose: 'alarm notifications to the operations e-mail list',
      personalData: 'none (alarm names, metric values and times)',
    });
    for (const email of props.alarmEmails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    const action = new actions.SnsAction(this.topic);

    const alarm = (id: string, metric: cloudwatch.IMetric, threshold: number, summary: string, runbook: RunbookName, options: AlarmOptions = {}) => {
      const a = new cloudwatch.Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: options.evaluationPeriods ?? 1,
        datapointsToAlarm: options.datapointsToAlarm ?? options.evaluationPeriods ?? 1,
        comparisonOperator: options.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: options.missing ?? cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: alarmDescription(summary, runbook, s.runbookBaseUrl),
      });
      a.addAlarmAction(action);
      a.addOkAction(action);
      this.alarms.push(a);
      return a;
    };

    const m = new SignInMetrics(props.stage, FIVE_MINUTES);
    const authorizer = authorizerName();
    const functionWidgets: cloudwatch.IWidget[] = [];
    for (const [name, rp] of Object.entries(props.functions) as [FunctionName, RelyingPartyFunction][]) {
      const fn = rp.function;
      const id = functionSpec(name).constructId;
      const timeoutMs = rp.timeout.toMilliseconds();
      if (name === authorizer) {
        // The authorizer answers "no valid session" by throwing `Unauthorized` (how a REST API token authorizer says
        // 401), which Lambda counts as an error: its Errors are ordinary traffic. Its real failures are the denials
        // it could not decide (DynamoDB or KMS unavailable, or anything unexpected), after which API Gateway answers
        // 500; a crash before it can count one shows as API 5XX and in its duration.
        const failures = new cloudwatch.MathExpression({
          expression: 'FILL(unavailable, 0) + FILL(other, 0)',
          usingMetrics: {
            unavailable: m.metric('AuthorizerDenied', { reason: 'unavailable' }, { period: ONE_MINUTE }),
            other: m.metric('AuthorizerDenied', { reason: 'other' }, { period: ONE_MINUTE }),
          },
          period: ONE_MINUTE,
          label: 'authorizer failures',
        });
        this.rollbackAlarms[name] = [
          alarm(
            `${id}Failures`,
            failures,
            s.authorizerFailures,
            `${name}: ${s.authorizerFailures} or more requests in 1 minute it could not decide (DynamoDB or KMS unavailable, or unexpected), answered 500`,
            'authorizer-failures',
          ),
        ];
      } else {
        const invocations = rp.alias.metricInvocations({ period: ONE_MINUTE, statistic: 'Sum' });
        const aliasErrors = alarm(
          `${id}Errors`,
          // The alias, not the function: during a traffic shift it is what both versions are invoked through.
          rp.alias.metricErrors({ period: ONE_MINUTE, statistic: 'Sum' }),
          1,
          `${name}: unhandled errors (crash, timeout, out of memory) through the live alias in 1 minute`,
          'function-errors',
        );
        const alarms = [aliasErrors];
        if ((FUNCTION_DIMENSION_VALUES as readonly string[]).includes(name)) {
          alarms.push(
            alarm(
              `${id}ServerErrors`,
              new cloudwatch.MathExpression({
                // Both a count and a share: a few 5XX among many requests is not a broken release, and a share of a
                // handful of requests is noise. FILL so that a minute with no 5XX reads 0, not missing.
                expression: `IF(FILL(errors, 0) >= ${s.serverErrors} AND invocations > 0, FILL(errors, 0) / invocations, 0)`,
                usingMetrics: { errors: m.metric('ServerError', { function: name }, { period: ONE_MINUTE }), invocations },
                period: ONE_MINUTE,
                label: 'share of answers 500 or more',
              }),
              s.serverErrorRate,
              `${name}: ${s.serverErrors} or more answers of 500 or more in 1 minute, at least ${s.serverErrorRate * 100}% of its invocations`,
              'function-errors',
            ),
          );
        }
        this.rollbackAlarms[name] = alarms;
      }
      alarm(
        `${id}Throttles`,
        fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
        1,
        `${name}: throttled invocations (reserved concurrency reached)`,
        'function-throttles',
      );
      alarm(
        `${id}DurationNearTimeout`,
        fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' }),
        Math.round(timeoutMs * t.durationShareOfTimeout),
        `${name}: p99 duration at ${Math.round(t.durationShareOfTimeout * 100)}% of its ${timeoutMs} ms timeout`,
        'function-duration',
      );
      functionWidgets.push(
        new cloudwatch.GraphWidget({
          // The authorizer's Lambda errors include every 401 it answers (it throws Unauthorized): not alarmed on.
          title: name === authorizer ? `${name} function (errors include every 401)` : `${name} function`,
          left: [
            fn.metricInvocations({ period: FIVE_MINUTES }),
            fn.metricErrors({ period: FIVE_MINUTES }),
            fn.metricThrottles({ period: FIVE_MINUTES }),
            ...((FUNCTION_DIMENSION_VALUES as readonly string[]).includes(name)
              ? [m.metric('ServerError', { function: name }, { label: 'answers 500 or more' })]
              : []),
          ],
          right: [fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' })],
          width: 8,
        }),
      );
    }

    const count = props.api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' });
    const server = props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' });
    const client = props.api.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum' });
    alarm(
      'Api5xxRate',
      new cloudwatch.MathExpression({
        expression: 'IF(requests > 0, errors / requests, 0)',
        usingMetrics: { errors: server, requests: count },
        period: FIVE_MINUTES,
        label: '5XX rate',
      }),
      t.api5xxRate,
      `API: ${t.api5xxRate * 100}% or more of requests answered 5XX`,
      'api-errors',
    );
    alarm(
      'Api4xxSurge',
      new cloudwatch.MathExpression({
        expression: 'IF(requests >= 50, errors / requests, 0)',
        usingMetrics: { errors: client, requests: count },
        period: FIVE_MINUTES,
        label: '4XX rate',
      }),
      t.api4xxRate,
      `API: a surge of 4XX answers (${t.api4xxRate * 100}% or more of at least 50 requests)`,
      'api-errors',
    );
    const latency = props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' });
    alarm('ApiP99Latency', latency, t.apiP99LatencyMs, `API: p99 latency at or above ${t.apiP99LatencyMs} ms`, 'api-latency');

    const throttled = props.table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, period: FIVE_MINUTES });
    const systemErrors = props.table.metricSystemErrorsForOperations({ operations: TABLE_OPERATIONS, period: FIVE_MINUTES });
    alarm('TableThrottledRequests', throttled, 1, 'Sessions table: throttled requests', 'sessions-table');
    alarm('TableSystemErrors', systemErrors, 1, 'Sessions table: DynamoDB system errors', 'sessions-table');

    // A web ACL's Ref is "name|id|scope"; its metrics are dimensioned by name.
    const webAclName = Fn.select(0, Fn.split('|', props.webAcl.ref));
    const blocked = new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: { WebACL: webAclName, Region: Stack.of(this).region, Rule: 'ALL' },
      statistic: 'Sum',
      period: FIVE_MINUTES,
    });
    alarm('WafBlockedSurge', blocked, t.wafBlockedRequests, `WAF: ${t.wafBlockedRequests} or more blocked requests in 5 minutes`, 'waf-blocks');

    // Sign-in health, from the metrics catalogue.
    const window = Duration.minutes(s.signInWindowMinutes);
    const started = m.metric('SignInStarted', {}, { label: 'started' });
    const completed = m.metric('SignInCompleted', {}, { label: 'completed' });
    const declined = m.metric('ConsentDeclined', {}, { label: 'consent declined' });
    const failed = m.sum('SignInFailed', {}, 'failed');
    const successRatio = (period: Duration) =>
      new cloudwatch.MathExpression({
        // Users' sign-ins only: every run of the synthetic check starts one sign-in it never completes, so its runs
        // (the sample count of its SuccessPercent, one data point per run) are taken off the started count. Judged
        // only above the minimum volume (1 = healthy below it); FILL so a window with starts and no completions
        // reads 0, not missing.
        expression: `IF(FILL(started, 0) - FILL(checks, 0) >= ${s.signInMinimumStarted}, FILL(completed, 0) / (FILL(started, 0) - FILL(checks, 0)), 1)`,
        usingMetrics: {
          started: m.metric('SignInStarted', {}, { period }),
          completed: m.metric('SignInCompleted', {}, { period }),
          checks: props.canary.metricSuccessPercent({ period, statistic: 'SampleCount' }),
        },
        period,
        label: 'sign-in success ratio',
      });
    this.signInSuccessAlarm = alarm(
      'SignInSuccessRatio',
      successRatio(window),
      s.signInSuccessFloor,
      `Sign-in: fewer than ${Math.round(s.signInSuccessFloor * 100)}% of sign-ins started in ${s.signInWindowMinutes} minutes completed (judged from ${s.signInMinimumStarted} started)`,
      'sign-in-success',
      { comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD },
    );
    // One alarm per call: the four reasons of one call are four series, and an alarm's metric math takes at most 10
    // (all calls and reasons are 16).
    for (const call of PROVIDER_CALLS) {
      const pascal = call.charAt(0).toUpperCase() + call.slice(1);
      alarm(
        `Provider${pascal}Errors`,
        m.sum('ProviderError', { call }, `${call} errors`),
        s.providerErrors,
        `NHS login ${call} calls: ${s.providerErrors} or more failures (timeout, 5xx, invalid response) in 5 minutes`,
        'provider-errors',
      );
    }
    // Judged only from a minimum number of token calls in the 5 minutes (0 = healthy below it): the p99 of a few
    // calls is the slowest of them. Then 2 of 3 periods, so one slow burst does not page either.
    const tokenP99 = new cloudwatch.MathExpression({
      expression: `IF(FILL(calls, 0) >= ${s.tokenLatencyMinimumCalls}, p99, 0)`,
      usingMetrics: {
        p99: m.metric('ProviderLatency', { call: 'token' }, { statistic: 'p99' }),
        calls: m.metric('ProviderLatency', { call: 'token' }, { statistic: 'SampleCount' }),
      },
      period: FIVE_MINUTES,
      label: 'token p99 (judged from the minimum calls)',
    });
    alarm(
      'ProviderTokenP99Latency',
      tokenP99,
      s.tokenP99LatencyMs,
      `NHS login token call: p99 latency at or above ${s.tokenP99LatencyMs} ms (judged from ${s.tokenLatencyMinimumCalls} calls in 5 minutes)`,
      'provider-latency',
      {
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      },
    );

    const canarySuccess = props.canary.metricSuccessPercent({ period: FIVE_MINUTES, statistic: 'Average' });
    this.canaryAlarm = alarm(
      'SyntheticCheckFailed',
      canarySuccess,
      100,
      `Synthetic sign-in check: failed or did not run ${s.canaryFailedRuns} times in a row`,
      'synthetic-check',
      {
        comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        missing: cloudwatch.TreatMissingData.BREACHING,
        evaluationPeriods: s.canaryFailedRuns,
      },
    );

    // AWS Backup publishes job counts by resource type; the only DynamoDB restores here are the weekly test (and any
    // restore by hand, which should not fail either). A failed backup job means a day without a recovery point (the
    // restore test would find out only later).
    const backupJobsFailed = (metricName: 'NumberOfRestoreJobsFailed' | 'NumberOfBackupJobsFailed') =>
      new cloudwatch.Metric({
        namespace: 'AWS/Backup',
        metricName,
        dimensionsMap: { ResourceType: 'DynamoDB' },
        statistic: 'Sum',
        period: Duration.hours(1),
      });
    alarm('RestoreTestFailed', backupJobsFailed('NumberOfRestoreJobsFailed'), 1, 'AWS Backup: a restore job of the sessions table failed', 'restore-test');
    alarm('BackupJobFailed', backupJobsFailed('NumberOfBackupJobsFailed'), 1, 'AWS Backup: a backup job of the sessions table failed', 'backup-jobs');

    // AWS Backup's own events, to the same topic with the runbook named: a failed restore job with AWS Backup's
    // message, and a restore test whose temporary table could not be deleted (a copy of the sessions table left
    // behind, which the metrics do not count).
    const { account, region } = Stack.of(this);
    const restoreEvent = (status: Record<string, string[]>) => ({ source: ['aws.backup'], detailType: ['Restore Job State Change'], detail: status });
    const job = events.EventField.fromPath('$.detail.restoreJobId');
    const rules: [string, string, events.EventPattern, string][] = [
      [
        'RestoreJobFailedRule',
        'restore-failed',
        restoreEvent({ status: ['FAILED'] }),
        `AWS Backup restore job ${job} (${events.EventField.fromPath('$.detail.resourceType')}) failed: ${events.EventField.fromPath('$.detail.statusMessage')}`,
      ],
      [
        'RestoreTestDeletionFailedRule',
        'restore-deletion-failed',
        restoreEvent({ deletionStatus: ['FAILED'] }),
        `AWS Backup could not delete the table restore test job ${job} created (${events.EventField.fromPath('$.detail.createdResourceArn')}): delete it by hand`,
      ],
    ];
    for (const [ruleId, suffix, eventPattern, text] of rules) {
      const rule = new events.Rule(this, ruleId, {
        ruleName: `${BACKUP_EVENT_RULE_PREFIX(props.stage)}${suffix}`,
        description: `AWS Backup ${suffix.replace(/-/g, ' ')} events to the alarm topic`,
        eventPattern: { ...eventPattern, account: [account], region: [region] },
      });
      // The topic is the target, without the SNS target's grant (any EventBridge rule of any account): the topic
      // policy below names these rules only.
      rule.addTarget({
        bind: () => ({
          arn: this.topic.topicArn,
          input: events.RuleTargetInput.fromText(`${text}. Runbook: ${runbookFor('restore-test', s.runbookBaseUrl)}`),
        }),
      });
      this.backupEventRules.push(rule);
    }
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'BackupEventRulesPublish',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.backupEventRules.map((r) => r.ruleArn) } },
      }),
    );
    // A notification EventBridge could not deliver (topic or key policy) must not be lost silently.
    const undelivered = new cloudwatch.MathExpression({
      expression: `SUM([${this.backupEventRules.map((_, i) => `r${i}`).join(', ')}])`,
      usingMetrics: Object.fromEntries(
        this.backupEventRules.map((r, i) => [
          `r${i}`,
          new cloudwatch.Metric({
            namespace: 'AWS/Events',
            metricName: 'FailedInvocations',
            dimensionsMap: { RuleName: r.ruleName },
            statistic: 'Sum',
            period: FIVE_MINUTES,
          }),
        ]),
      ),
      period: FIVE_MINUTES,
      label: 'backup notifications not delivered',
    });
    alarm('BackupNotificationUndelivered', undelivered, 1, 'AWS Backup notifications: EventBridge could not deliver one to the alarm topic', 'restore-test');

    const perReason = (name: 'SignInFailed' | 'AuthorizerDenied' | 'SessionEnded') => Object.values(m.series(name));
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 6 })],
        [
          new cloudwatch.GraphWidget({ title: 'Sign-in funnel', left: [started, completed, failed, declined], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Sign-ins failed by reason', left: perReason('SignInFailed'), stacked: true, width: 8 }),
          new cloudwatch.GraphWidget({
            title: `Sign-in success ratio (${s.signInWindowMinutes} min)`,
            left: [successRatio(window)],
            leftYAxis: { min: 0, max: 1 },
            leftAnnotations: [{ value: s.signInSuccessFloor, label: 'alarm floor' }],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'NHS login call latency p99',
            left: PROVIDER_CALLS.map((call) => m.metric('ProviderLatency', { call }, { statistic: 'p99', label: call })),
            leftAnnotations: [{ value: s.tokenP99LatencyMs, label: 'token alarm' }],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'NHS login call errors',
            left: PROVIDER_CALLS.map((call) => m.sum('ProviderError', { call }, call)),
            width: 8,
          }),
          new cloudwatch.GraphWidget({ title: 'Synthetic sign-in check success %', left: [canarySuccess], leftYAxis: { min: 0, max: 100 }, width: 8 }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Authorizer denials by reason', left: perReason('AuthorizerDenied'), stacked: true, width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Sessions ended by reason', left: perReason('SessionEnded'), stacked: true, width: 8 }),
          new cloudwatch.GraphWidget({
            title: 'Step-ups and NHS App fallbacks',
            left: [
              m.metric('StepUpStarted', {}, { label: 'step-up started' }),
              m.metric('StepUpCompleted', {}, { label: 'step-up completed' }),
              m.metric('NhsAppSsoFallback', {}, { label: 'NHS App SSO fallback' }),
            ],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'API requests and errors', left: [count, client, server], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'API latency p99', left: [latency], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'WAF blocked requests', left: [blocked], width: 8 }),
        ],
        [
          // Separate graphs: both expressions name their per-operation metrics alike.
          new cloudwatch.GraphWidget({ title: 'Sessions table throttled requests', left: [throttled], width: 12 }),
          new cloudwatch.GraphWidget({ title: 'Sessions table system errors', left: [systemErrors], width: 12 }),
        ],
        // Three function graphs to a row, however many functions the table has.
        ...Array.from({ length: Math.ceil(functionWidgets.length / 3) }, (_, i) => functionWidgets.slice(i * 3, i * 3 + 3)),
      ],
    });
  }
}

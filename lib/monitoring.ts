import { Duration, Fn, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { functionSpec, type FunctionName } from './function-table';
import { declareData } from './residency/data-map-metadata';
import type { RelyingPartyFunction } from './relying-party-function';

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
  readonly thresholds?: AlarmThresholds;
}

const FIVE_MINUTES = Duration.minutes(5);
const TABLE_OPERATIONS = [dynamodb.Operation.GET_ITEM, dynamodb.Operation.PUT_ITEM, dynamodb.Operation.UPDATE_ITEM, dynamodb.Operation.DELETE_ITEM];

/**
 * Alarms to an encrypted SNS topic and a dashboard of the same signals.
 *
 * Missing data is treated as NOT breaching throughout: every alarm here measures something that only exists when
 * there is traffic (errors, latency, throttles, blocks), and no traffic at night is not an incident. Absence of
 * traffic is a different question, answered by a synthetic canary outside this stack.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

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

    const alarm = (id: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      const a = new cloudwatch.Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(action);
      a.addOkAction(action);
      this.alarms.push(a);
      return a;
    };

    const functionWidgets: cloudwatch.IWidget[] = [];
    for (const [name, rp] of Object.entries(props.functions) as [FunctionName, RelyingPartyFunction][]) {
      const fn = rp.function;
      const id = functionSpec(name).constructId;
      const timeoutMs = rp.timeout.toMilliseconds();
      alarm(`${id}Errors`, fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), 1, `${name}: unhandled errors`);
      alarm(
        `${id}Throttles`,
        fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
        1,
        `${name}: throttled invocations (reserved concurrency reached)`,
      );
      alarm(
        `${id}DurationNearTimeout`,
        fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' }),
        Math.round(timeoutMs * t.durationShareOfTimeout),
        `${name}: p99 duration at ${Math.round(t.durationShareOfTimeout * 100)}% of its ${timeoutMs} ms timeout`,
      );
      functionWidgets.push(
        new cloudwatch.GraphWidget({
          title: `${name} function`,
          left: [fn.metricInvocations({ period: FIVE_MINUTES }), fn.metricErrors({ period: FIVE_MINUTES }), fn.metricThrottles({ period: FIVE_MINUTES })],
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
    );
    const latency = props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' });
    alarm('ApiP99Latency', latency, t.apiP99LatencyMs, `API: p99 latency at or above ${t.apiP99LatencyMs} ms`);

    const throttled = props.table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, period: FIVE_MINUTES });
    const systemErrors = props.table.metricSystemErrorsForOperations({ operations: TABLE_OPERATIONS, period: FIVE_MINUTES });
    alarm('TableThrottledRequests', throttled, 1, 'Sessions table: throttled requests');
    alarm('TableSystemErrors', systemErrors, 1, 'Sessions table: DynamoDB system errors');

    // A web ACL's Ref is "name|id|scope"; its metrics are dimensioned by name.
    const webAclName = Fn.select(0, Fn.split('|', props.webAcl.ref));
    const blocked = new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: { WebACL: webAclName, Region: Stack.of(this).region, Rule: 'ALL' },
      statistic: 'Sum',
      period: FIVE_MINUTES,
    });
    alarm('WafBlockedSurge', blocked, t.wafBlockedRequests, `WAF: ${t.wafBlockedRequests} or more blocked requests in 5 minutes`);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 })],
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
        functionWidgets.slice(0, 3),
        functionWidgets.slice(3, 6),
        functionWidgets.slice(6),
      ],
    });
  }
}

import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { IDENTITY_HEADER_PREFIX } from '../lambda/core/identity-headers';
import { declareData } from './residency/data-map-metadata';
import { IDENTITY_HEADER_RESPONSE } from './waf-responses';

export interface RegionalWafProps {
  /** ARN of the API Gateway stage to protect. */
  readonly resourceArn: string;
  /** Requests per 5 minutes from one IP before the rate rule blocks it. */
  readonly rateLimitPer5Minutes: number;
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly retainLogs: boolean;
}

/** The rule evaluated first: a request carrying any header of the identity family is blocked. */
export const IDENTITY_HEADER_RULE = 'IdentityHeadersFromClient';

/** AWS managed rule groups, in evaluation order (after the identity header rule). */
export const MANAGED_RULE_GROUPS = ['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesCommonRuleSet'] as const;

/**
 * A REGIONAL web ACL (never CLOUDFRONT, which lives in us-east-1) in front of the API stage. First a rule that
 * blocks any request carrying a header whose name starts with `x-nhs-login-` (whatever its case), so no client can
 * spoof the identity headers to any backend: HTTP and VPC-link integrations overwrite them too, but Lambda and
 * public mounts would pass them through. Then AWS's IP-reputation, known-bad-inputs and common rule groups and a
 * per-IP rate rule. Logs go to a KMS-encrypted `aws-waf-logs-*` group in eu-west-2 with the cookie and
 * authorization headers and the query string (which carries the OIDC `code` and `state` at the callback) redacted.
 */
export class RegionalWaf extends Construct {
  readonly webAcl: wafv2.CfnWebACL;
  readonly logGroup: logs.LogGroup;
  readonly metricName: string;

  constructor(scope: Construct, id: string, props: RegionalWafProps) {
    super(scope, id);
    this.metricName = `${Stack.of(this).stackName}-waf`.replace(/[^A-Za-z0-9_-]/g, '-');
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(this.metricName),
      customResponseBodies: {
        [IDENTITY_HEADER_RESPONSE.key]: { contentType: 'APPLICATION_JSON', content: IDENTITY_HEADER_RESPONSE.body },
      },
      rules: [
        {
          name: IDENTITY_HEADER_RULE,
          priority: 0,
          action: {
            block: {
              customResponse: {
                responseCode: IDENTITY_HEADER_RESPONSE.statusCode,
                customResponseBodyKey: IDENTITY_HEADER_RESPONSE.key,
                responseHeaders: Object.entries(IDENTITY_HEADER_RESPONSE.headers).map(([name, value]) => ({ name, value })),
              },
            },
          },
          statement: {
            byteMatchStatement: {
              // Every header name; more headers than WAF inspects (200, or 8 KB) counts as a match: fail closed.
              fieldToMatch: { headers: { matchPattern: { all: {} }, matchScope: 'KEY', oversizeHandling: 'MATCH' } },
              positionalConstraint: 'STARTS_WITH',
              searchString: IDENTITY_HEADER_PREFIX,
              textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
            },
          },
          visibilityConfig: visibility(IDENTITY_HEADER_RULE),
        },
        ...MANAGED_RULE_GROUPS.map((name, i) => ({
          name,
          priority: i + 1,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
          visibilityConfig: visibility(name),
        })),
        {
          name: 'RatePerIp',
          priority: MANAGED_RULE_GROUPS.length + 1,
          action: { block: {} },
          statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: props.rateLimitPer5Minutes, evaluationWindowSec: 300 } },
          visibilityConfig: visibility('RatePerIp'),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.resourceArn,
      webAclArn: this.webAcl.attrArn,
    });

    // WAF only delivers to log groups whose name starts with aws-waf-logs-; CDK's generated suffix keeps it unique.
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `aws-waf-logs-${Stack.of(this).stackName}`,
      encryptionKey: props.logKey,
      retention: props.logRetention,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    declareData(this.logGroup, {
      purpose: 'WAF request logs (client IP, headers, URI path, rule matched)',
      personalData: 'client IP addresses and user agents; cookie, authorization and query string are redacted',
    });
    new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group ARN without the ":*" suffix that logGroupArn carries.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: this.logGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: [{ singleHeader: { Name: 'cookie' } }, { singleHeader: { Name: 'authorization' } }, { queryString: {} }],
    });
  }
}

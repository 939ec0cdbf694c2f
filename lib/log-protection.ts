import { Annotations, Aspects, type IAspect, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { declareData } from './residency/data-map-metadata';

/** The managed data identifiers every log group's policy masks (CloudWatch Logs' names). */
export const MANAGED_LOG_IDENTIFIERS = ['NhsNumber-GB', 'EmailAddress'] as const;

/**
 * A bare 10-digit NHS number, which the managed identifier (which looks for context such as "NHS number" nearby)
 * may miss. English, Welsh and Northern Irish NHS numbers start with 3 to 9; starting there also keeps 10-digit Unix
 * times in seconds (1... and 2... until 2065) out of the mask.
 */
export const BARE_NHS_NUMBER = { name: 'BareNhsNumber', regex: '\\b[3-9][0-9]{9}\\b' } as const;

/** The data protection policy document CloudWatch Logs takes, auditing findings to `auditLogGroupName`. */
export function dataProtectionPolicy(auditLogGroupName: string, partition: string): Record<string, unknown> {
  const identifiers = [...MANAGED_LOG_IDENTIFIERS.map((id) => `arn:${partition}:dataprotection::aws:data-identifier/${id}`), BARE_NHS_NUMBER.name];
  return {
    Name: 'nhs-login-rp-personal-data',
    Description: 'Masks NHS numbers and e-mail addresses; audits every finding',
    Version: '2021-06-01',
    Configuration: { CustomDataIdentifier: [{ Name: BARE_NHS_NUMBER.name, Regex: BARE_NHS_NUMBER.regex }] },
    Statement: [
      {
        Sid: 'audit',
        DataIdentifier: identifiers,
        Operation: { Audit: { FindingsDestination: { CloudWatchLogs: { LogGroup: auditLogGroupName } } } },
      },
      { Sid: 'redact', DataIdentifier: identifiers, Operation: { Deidentify: { MaskConfig: {} } } },
    ],
  };
}

export interface LogDataProtectionProps {
  readonly encryptionKey: kms.IKey;
  readonly retention: logs.RetentionDays;
  readonly retain: boolean;
}

/**
 * A CloudWatch Logs data protection policy on every log group of a stack, placed by an aspect so that no log group
 * is missed, whoever creates it (ours, CDK's or a library's): the logger's redaction stays the first line, and this
 * is the second, which also catches what a dependency or an error message might print. Findings (which identifier,
 * where; never the value) go to an audit log group of their own, encrypted with the data key, in this stack's region.
 *
 * Use `LogDataProtection.guard` on a stack without log groups of its own: it fails synthesis if one ever appears
 * without a policy.
 */
export class LogDataProtection extends Construct {
  readonly auditLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: LogDataProtectionProps) {
    super(scope, id);
    this.auditLogGroup = new logs.LogGroup(this, 'AuditLogs', {
      encryptionKey: props.encryptionKey,
      retention: props.retention,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    declareData(this.auditLogGroup, {
      purpose: 'CloudWatch Logs data protection findings: which identifier matched in which log group and when',
      personalData: 'none (findings name the identifier and the log event, never the value)',
    });
    const audit = this.auditLogGroup.node.defaultChild as logs.CfnLogGroup;
    const policy = dataProtectionPolicy(this.auditLogGroup.logGroupName, Stack.of(this).partition);
    const aspect: IAspect = {
      visit(node: IConstruct) {
        if (node instanceof logs.CfnLogGroup && node !== audit) node.dataProtectionPolicy = policy;
      },
    };
    Aspects.of(Stack.of(this)).add(aspect);
  }

  /** Fails synthesis for any log group in `stack` without a data protection policy. */
  static guard(stack: Stack): void {
    Aspects.of(stack).add({
      visit(node: IConstruct) {
        if (node instanceof logs.CfnLogGroup && node.dataProtectionPolicy === undefined) {
          Annotations.of(node).addError('Every log group needs a CloudWatch Logs data protection policy (see lib/log-protection.ts)');
        }
      },
    });
  }
}

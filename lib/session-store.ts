import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { SESSION_TABLE_SCHEMA } from '../lambda/adapters/session-table-schema';
import type { DynamoDbAction } from './function-table';
import type { PolicyHolder } from './relying-party-function';
import { declareData } from './residency/data-map-metadata';

export interface SessionStoreProps {
  readonly encryptionKey: kms.IKey;
  /** RETAIN and deletion protection (integration, production). */
  readonly retain: boolean;
  /** Claims the session keeps, for the data map. */
  readonly sessionClaims: readonly string[];
}

/**
 * What DynamoDB asks KMS for on the caller's behalf when it serves an operation on a table under a customer-managed
 * key: every operation decrypts the table key; writes also encrypt new item data.
 */
const KEY_ACTIONS: Record<DynamoDbAction, readonly string[]> = {
  'dynamodb:GetItem': ['kms:Decrypt'],
  'dynamodb:PutItem': ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
  'dynamodb:UpdateItem': ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
  'dynamodb:DeleteItem': ['kms:Decrypt'],
};

/** The data-key actions a set of table operations needs, sorted and without repeats. */
export function keyActionsFor(actions: readonly DynamoDbAction[]): string[] {
  return [...new Set(actions.flatMap((a) => KEY_ACTIONS[a]))].sort();
}

/**
 * Server-side sessions and login transactions. On-demand, encrypted with the customer-managed data key, point-in-
 * time recovery, TTL. The key schema comes from the module the handlers and the local stack also use.
 */
export class SessionStore extends Construct {
  readonly table: dynamodb.Table;
  private readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: SessionStoreProps) {
    super(scope, id);
    this.key = props.encryptionKey;
    const { partitionKey, timeToLiveAttribute } = SESSION_TABLE_SCHEMA;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: partitionKey.name, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute,
      deletionProtection: props.retain,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    declareData(this.table, {
      purpose: 'server-side sessions (under the SHA-256 of the session id) and 10-minute login transactions',
      personalData: `NHS login subject (sub), vot, identity_proofing_level, auth_time and the configured claims: ${props.sessionClaims.join(', ')}`,
    });
  }

  /**
   * Grants exactly these item operations on the table, and the data-key use DynamoDB needs for them, through
   * DynamoDB only. Nothing is granted for an empty list.
   */
  grant(holder: PolicyHolder, actions: readonly DynamoDbAction[]): void {
    if (actions.length === 0) return;
    holder.addToPolicy(
      new iam.PolicyStatement({
        actions: [...new Set(actions)].sort(),
        resources: [this.table.tableArn],
      }),
    );
    holder.addToPolicy(
      new iam.PolicyStatement({
        actions: keyActionsFor(actions),
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }
}

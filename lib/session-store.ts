import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { SESSION_TABLE_SCHEMA } from '../lambda/adapters/session-table-schema';
import type { PolicyHolder } from './relying-party-function';
import { declareData } from './residency/data-map-metadata';

export interface SessionStoreProps {
  readonly encryptionKey: kms.IKey;
  /** RETAIN and deletion protection (integration, production). */
  readonly retain: boolean;
  /** Claims the session keeps, for the data map. */
  readonly sessionClaims: readonly string[];
}

/** The operations each function may perform on the sessions table, and nothing else. */
export type SessionTableAccess = 'read' | 'write' | 'delete';

const TABLE_ACTIONS: Record<SessionTableAccess, string[]> = {
  read: ['dynamodb:GetItem'],
  write: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  delete: ['dynamodb:DeleteItem'],
};

/** What DynamoDB asks KMS for on the caller's behalf when it reads or writes items under a customer-managed key. */
const KEY_ACTIONS: Record<SessionTableAccess, string[]> = {
  read: ['kms:Decrypt'],
  write: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
  delete: ['kms:Decrypt'],
};

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

  /** Grants item-level access and the data-key use DynamoDB needs for it, through DynamoDB only. */
  grant(holder: PolicyHolder, ...access: SessionTableAccess[]): void {
    const unique = (actions: string[]) => [...new Set(actions)].sort();
    holder.addToPolicy(
      new iam.PolicyStatement({
        actions: unique(access.flatMap((a) => TABLE_ACTIONS[a])),
        resources: [this.table.tableArn],
      }),
    );
    holder.addToPolicy(
      new iam.PolicyStatement({
        actions: unique(access.flatMap((a) => KEY_ACTIONS[a])),
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }
}

import { type CfnElement, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { Mount } from '../../config/mounts';
import { methodConstructPath } from '../api';
import { allRoutes, FUNCTION_NAMES, functionSpec } from '../function-table';
import type { RelyingParty } from '../relying-party';

/**
 * One reviewed exception: the exact construct it covers (its path from the app), the exact finding id that synth
 * prints (`<pack>::<rule>[<finding>]`), and a reason a reviewer can check against the template.
 *
 * House rule: never acknowledge a finding about residency, encryption, key rotation, logging or log retention;
 * those are fixed in the constructs instead. `test/nag/acknowledgements.test.ts` pins this whole list.
 */
export interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

const PUBLIC_SIGN_IN_ROUTE =
  'A public route of the sign-in (function table access "public"): anyone must be able to open the start page, ' +
  'read the public keys backends verify with, and start, finish or end an NHS login sign-in, and NHS login is the ' +
  'identity provider, so there is no caller to authorise before it; CSRF and binding checks are in the handler.';
const NOT_COGNITO =
  'NHS login (OpenID Connect) is the identity provider, not Cognito. GET / and /auth/* routes are public sign-in ' +
  'routes; the session routes (GET /api/me) are behind the session REQUEST authorizer (SessionAuthorizer).';
const publicMount = (m: Mount) =>
  `The mount ${m.path} is public by the stage config (mounts, kind "public": a start page, static assets or a ` +
  'health check that needs no session), so there is no caller to authorise; it gets no identity headers, and the WAF ' +
  'refuses any request carrying an X-NHS-Login-* header.';
const mountNotCognito = (m: Mount) =>
  `NHS login (OpenID Connect) is the identity provider, not Cognito. The mount ${m.path} (kind "${m.kind}" in the ` +
  `stage config) is ${m.kind === 'public' ? 'public by that config' : 'behind the session REQUEST authorizer (SessionAuthorizer), which checks the session and the minimum assurance'}.`;

/** The full list of acknowledgements for one stage's stacks. */
export function acknowledgementsFor(rp: Pick<RelyingParty, 'stateful' | 'stateless'>): Acknowledgement[] {
  const stateful = rp.stateful.node.id;
  const stateless = rp.stateless.node.id;
  const api = `${stateless}/SignInApi/Api`;
  const list: Acknowledgement[] = [];

  // Each route's method, as the function table declares it: public ones have no authorizer at all (APIG4), and
  // none uses Cognito (COG4).
  for (const route of allRoutes()) {
    const method = `${api}/${methodConstructPath(route.path, route.method)}`;
    if (route.access === 'public') list.push({ path: method, id: 'AwsSolutions::AwsSolutions-APIG4', reason: PUBLIC_SIGN_IN_ROUTE });
    list.push({ path: method, id: 'AwsSolutions::AwsSolutions-COG4', reason: NOT_COGNITO });
  }
  // The same for each method of each mount, as the API built it from the stage config.
  for (const { mount, method } of rp.stateless.api.mounts.methods) {
    const path = `${api}/${methodConstructPath(method.resource.path, method.httpMethod)}`;
    if (mount.kind === 'public') list.push({ path, id: 'AwsSolutions::AwsSolutions-APIG4', reason: publicMount(mount) });
    list.push({ path, id: 'AwsSolutions::AwsSolutions-COG4', reason: mountNotCognito(mount) });
  }

  list.push({
    path: `${api}/CloudWatchRole/Resource`,
    id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    reason:
      'The account-level role API Gateway assumes to write execution logs; AWS maintains this service-role policy ' +
      'for exactly that purpose and it grants nothing to our code.',
  });
  for (const [policy, what] of [
    ['AWSBackupServiceRolePolicyForBackup', 'take backups'],
    ['AWSBackupServiceRolePolicyForRestores', 'restore them'],
  ]) {
    list.push({
      path: `${stateful}/Backups/Plan/Selection/Role/Resource`,
      id: `AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}]`,
      reason:
        `The role AWS Backup assumes to ${what} of the resources this plan selects (only the sessions table); AWS ` +
        'maintains this service-role policy as the supported way to grant it.',
    });
  }

  const check = rp.stateless.syntheticCheck;
  const checkPolicy = `${stateless}/SyntheticCheck/Policy/Resource`;
  const bucketId = rp.stateless.getLogicalId(check.bucket.node.defaultChild as CfnElement);
  list.push(
    {
      path: checkPolicy,
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Two statements of the synthetic check use "*": s3:ListAllMyBuckets, which the Synthetics runtime calls and which ' +
        'supports no resource-level permissions, and cloudwatch:PutMetricData, which supports none either and is held ' +
        'to the CloudWatchSynthetics namespace by its cloudwatch:namespace condition.',
    },
    {
      path: checkPolicy,
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/runs/*]`,
      reason:
        'The synthetic check writes one object per run under the runs/ prefix of its own artifacts bucket; object keys ' +
        'are chosen by the Synthetics runtime at run time, so the grant is the prefix (s3:PutObject only, no read or delete).',
    },
    {
      path: checkPolicy,
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${check.logGroupArnPatternForNag}]`,
      reason:
        "The Synthetics runtime creates the canary function's log group as /aws/lambda/cwsyn-<canary name>-<id>, with an " +
        'id it draws when the canary is created, so the grant names the canary and leaves only that id open.',
    },
  );
  for (const pack of ['HIPAA.Security', 'NIST.800.53.R5']) {
    list.push({
      path: `${stateless}/SyntheticCheck/Artifacts/Resource`,
      id: `${pack}::${pack}-S3BucketReplicationEnabled`,
      reason:
        'The synthetic check run artifacts (HTTP steps of a check that signs no one in) expire after a few weeks and ' +
        'are re-created every 5 minutes; a replica would add copies with no recovery value, and a replica in another ' +
        'region would take data out of eu-west-2. The bucket is versioned, encrypted with the data key and in this region.',
    });
    list.push({
      path: `${stateless}/SyntheticCheck/AccessLogs/Resource`,
      id: `${pack}::${pack}-S3BucketReplicationEnabled`,
      reason:
        'The server access logs of the synthetic check artifacts bucket, expiring after 90 days; a replica in another ' +
        'region would take them out of eu-west-2. The bucket is versioned, encrypted with its own rotating key and in this region.',
    });
  }
  if (rp.stateless.releases.groups[FUNCTION_NAMES[0]]) {
    list.push({
      path: `${stateless}/Releases/Role/Resource`,
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      reason:
        'The role CodeDeploy assumes to shift the live aliases of these functions and read their alarms; AWS maintains ' +
        'this service-role policy (the Limited one: lambda:UpdateAlias/GetAlias, cloudwatch:DescribeAlarms) for exactly that.',
    });
  }

  list.push({
    path: `${stateless}/FunctionBaseline/Policy/Resource`,
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason:
      'Two statements use "*": xray:PutTraceSegments/PutTelemetryRecords, which support no resource-level ' +
      'permissions, and the explicit Deny of every action outside eu-west-2, which restricts rather than grants.',
  });

  const cache =
    'Caching is deliberately off: every response here is per user (Set-Cookie, session JSON, redirects carrying ' +
    "state), so a stage cache could serve one person's sign-in to another. With no cache there is no cached data " +
    'to encrypt.';
  for (const pack of ['HIPAA.Security', 'NIST.800.53.R5']) {
    list.push({ path: `${api}/DeploymentStage.live/Resource`, id: `${pack}::${pack}-APIGWCacheEnabledAndEncrypted`, reason: cache });
  }

  for (const name of FUNCTION_NAMES) {
    const path = `${stateless}/${functionSpec(name).constructId}Function/Function/Resource`;
    list.push({
      path,
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        'Pinned to nodejs24.x (esbuild target node24), the newest Node.js runtime aws-cdk-lib 2.276 knows, so this ' +
        'finding does not fire today; the pin stays so that a CDK upgrade naming a newer runtime neither moves the ' +
        'functions nor fails the build: moving runtime is a reviewed change (see lambda/README.md, Runtime), not an automatic one.',
    });
    for (const pack of ['HIPAA.Security', 'NIST.800.53.R5']) {
      list.push({
        path,
        id: `${pack}::${pack}-LambdaDLQ`,
        reason:
          'Invoked synchronously by API Gateway only; a dead-letter queue applies to asynchronous invocations, ' +
          'and a failed sign-in is answered to the user, not retried.',
      });
      list.push({
        path,
        id: `${pack}::${pack}-LambdaInsideVPC`,
        reason:
          'The function reaches only regional AWS endpoints (DynamoDB, KMS, X-Ray) and NHS login over TLS; there is ' +
          'no VPC resource to reach, and a VPC would add NAT egress without narrowing what is reachable.',
      });
    }
  }
  return list;
}

/** Registers every acknowledgement on its exact construct; an acknowledgement for a missing construct fails. */
export function acknowledgeFindings(rp: Pick<RelyingParty, 'stateful' | 'stateless'>): void {
  const stacks = [rp.stateful, rp.stateless];
  for (const a of acknowledgementsFor(rp)) {
    const [stackId, ...rest] = a.path.split('/');
    const stack = stacks.find((s) => s.node.id === stackId);
    let target: IConstruct | undefined = stack;
    for (const id of rest) target = target?.node.tryFindChild(id);
    if (!target) throw new Error(`Acknowledgement ${a.id} names a construct that does not exist: ${a.path}`);
    Validations.of(target).acknowledge({ id: a.id, reason: a.reason });
  }
}

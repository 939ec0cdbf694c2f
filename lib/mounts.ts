import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { type Mount, mountResources } from '../config/mounts';
import { IDENTITY_HEADERS } from '../lambda/core/identity-headers';
import { declareBackend } from './residency/backend-declaration';

/** The identity headers a protected HTTP or VPC-link mount's backend gets, from the authorizer's Allow context. */
export const IDENTITY_HEADER_MAPPINGS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(IDENTITY_HEADERS).map(([contextKey, header]) => [`integration.request.header.${header}`, `context.authorizer.${contextKey}`]),
);

export interface MountRoutesProps {
  readonly api: apigw.RestApi;
  /** The session authorizer every mount but a public one sits behind. */
  readonly authorizer: apigw.IAuthorizer;
  readonly requestValidator: apigw.IRequestValidator;
  readonly mounts: readonly Mount[];
  /** Load balancers to create a `vpcLink` mount's VPC link from, by mount path (see `StatelessStackProps`). */
  readonly loadBalancers?: Readonly<Record<string, elbv2.INetworkLoadBalancer>>;
}

/** A mount's construct id: its path with `/` (which construct ids cannot hold) as `:`, e.g. `api:records`. */
const idOf = (mount: Mount) => mount.path.slice(1).replace(/\//g, ':');

/**
 * The partner's pages and APIs behind the sign-in (`config/mounts.ts`): for each mount the resource at its path and
 * a `{proxy+}` child, each configured method on both. Page and API mounts sit behind the session authorizer; public
 * mounts have no authorizer. Targets:
 *
 * - `lambda`: a Lambda proxy integration to the function (same account and region, checked by the config schema),
 *   with one invoke permission per method whose source is this API's stage, method and path only. The function reads
 *   who is signed in from `event.requestContext.authorizer`.
 * - `http`: HTTP_PROXY to `<url>` and `<url>/{proxy}`. API Gateway presents the stage's client certificate, so the
 *   backend can require mutual TLS with it and refuse every caller that is not this API.
 * - `vpcLink`: HTTP_PROXY through the VPC link to `<protocol>://<load balancer DNS name>:<port>` and `.../{proxy}`.
 *
 * HTTP and VPC-link backends of protected mounts get the identity headers mapped from the authorizer's context,
 * overwriting any a client sent (and the WAF refuses requests carrying one). Each backend is declared for the
 * residency report, which lists it as egress.
 */
export class MountRoutes extends Construct {
  /** Each built method, with its mount. */
  readonly methods: ReadonlyArray<{ readonly mount: Mount; readonly method: apigw.Method }>;

  constructor(scope: Construct, id: string, props: MountRoutesProps) {
    super(scope, id);
    const mountPaths = new Set(props.mounts.filter((m) => m.target.type === 'vpcLink').map((m) => m.path));
    for (const path of Object.keys(props.loadBalancers ?? {})) {
      if (!mountPaths.has(path)) throw new Error(`MountRoutes: a load balancer is given for ${path}, which is not a vpcLink mount of this stage`);
    }
    const methods: Array<{ mount: Mount; method: apigw.Method }> = [];
    for (const mount of props.mounts) {
      const integrationFor = this.integrations(mount, props.loadBalancers?.[mount.path]);
      const guarded = mount.kind !== 'public';
      for (const [resourcePath, proxied] of mountResources(mount.path).map((p, i) => [p, i === 1] as const)) {
        const resource = props.api.root.resourceForPath(resourcePath);
        for (const httpMethod of mount.methods) {
          const method = resource.addMethod(httpMethod, integrationFor(httpMethod, proxied), {
            requestValidator: props.requestValidator,
            ...(proxied ? { requestParameters: { 'method.request.path.proxy': true } } : {}),
            ...(guarded
              ? { authorizer: props.authorizer, authorizationType: apigw.AuthorizationType.CUSTOM }
              : { authorizationType: apigw.AuthorizationType.NONE }),
          });
          if (mount.target.type !== 'lambda') {
            declareBackend(method, { purpose: `the ${mount.kind} mount ${mount.path} (stage config)` });
          }
          methods.push({ mount, method });
        }
      }
    }
    this.methods = methods;
  }

  /** The integration of one method of a mount, on its base resource or its `{proxy+}` child. */
  private integrations(mount: Mount, loadBalancer: elbv2.INetworkLoadBalancer | undefined): (httpMethod: string, proxied: boolean) => apigw.Integration {
    const target = mount.target;
    if (target.type === 'lambda') {
      const fn = lambda.Function.fromFunctionAttributes(this, `${idOf(mount)}:Function`, { functionArn: target.functionArn, sameEnvironment: true });
      // One permission per method, scoped to this API's stage, method and path (no test-invoke permission).
      const integration = new apigw.LambdaIntegration(fn, { allowTestInvoke: false });
      return () => integration;
    }
    const headers = mount.kind === 'public' ? {} : IDENTITY_HEADER_MAPPINGS;
    const { base, connection } =
      target.type === 'http'
        ? { base: target.url.replace(/\/+$/, ''), connection: {} }
        : {
            base: `${target.protocol}://${loadBalancer?.loadBalancerDnsName ?? target.nlbDnsName}:${target.port}`,
            connection: {
              connectionType: apigw.ConnectionType.VPC_LINK,
              vpcLink: loadBalancer
                ? new apigw.VpcLink(this, `${idOf(mount)}:VpcLink`, {
                    targets: [loadBalancer],
                    description: `NHS login relying party: the mount ${mount.path}`,
                  })
                : apigw.VpcLink.fromVpcLinkId(this, `${idOf(mount)}:VpcLink`, target.vpcLinkId),
            },
          };
    return (httpMethod, proxied) =>
      new apigw.Integration({
        type: apigw.IntegrationType.HTTP_PROXY,
        integrationHttpMethod: httpMethod,
        uri: proxied ? `${base}/{proxy}` : base,
        options: {
          ...connection,
          requestParameters: { ...headers, ...(proxied ? { 'integration.request.path.proxy': 'method.request.path.proxy' } : {}) },
        },
      });
  }
}

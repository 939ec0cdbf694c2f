import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Mount } from '../config/mounts';
import { AUTHORIZER_GATEWAY_RESPONSES, DEFAULT_GATEWAY_RESPONSES, gatewayResponseId } from '../lambda/core/gateway-responses';
import { MountRoutes } from './mounts';
import { declareData } from './residency/data-map-metadata';

/** The API Gateway stage name (the first path segment on the execute-api URL). */
export const API_STAGE_NAME = 'live';

/**
 * Where the method for `httpMethod` on the API resource at `resourcePath` sits, below the RestApi construct: the
 * root's methods are `Default/<METHOD>`, any other's `Default/<path>/<METHOD>` (`/` is the root, `GET /` the start
 * page).
 */
export function methodConstructPath(resourcePath: string, httpMethod: string): string {
  return `Default${resourcePath === '/' ? '' : resourcePath}/${httpMethod}/Resource`;
}

/** One route of the function table: method, path (`/` is the API root) and the function behind it. */
export interface PublicRoute {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly handler: lambda.IFunction;
}

export interface SignInApiProps {
  readonly publicRoutes: readonly PublicRoute[];
  /** The function table's `session` routes, each behind the session authorizer. */
  readonly protectedRoutes: readonly PublicRoute[];
  readonly authorizer: lambda.IFunction;
  /** The partner's pages and APIs (`config/mounts.ts`). @default [] */
  readonly mounts?: readonly Mount[];
  /** Load balancers to create `vpcLink` mounts' VPC links from, by mount path. @default {} */
  readonly mountLoadBalancers?: Readonly<Record<string, elbv2.INetworkLoadBalancer>>;
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly retainLogs: boolean;
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  /** Optional custom domain with a regional ACM certificate in eu-west-2. */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
}

/**
 * The REST API, REGIONAL (CDK's default is EDGE, which fronts the API with CloudFront's global edge), with JSON
 * access logs to a KMS-encrypted log group, execution logging at ERROR with data tracing off (data tracing would
 * log the callback's code and the session cookie), X-Ray and stage throttling.
 */
export class SignInApi extends Construct {
  readonly api: apigw.RestApi;
  readonly accessLogGroup: logs.LogGroup;
  readonly executionLogGroup: logs.LogGroup;
  readonly stageArn: string;
  /** The custom domain, when configured: point DNS at its regional alias target. */
  readonly domainName?: apigw.DomainName;
  /** The session REQUEST authorizer of the session routes and non-public mounts. */
  readonly authorizer: apigw.RequestAuthorizer;
  /** The stage's client certificate, which API Gateway presents to HTTP backends (mutual TLS). */
  readonly clientCertificate: apigw.CfnClientCertificate;
  readonly mounts: MountRoutes;

  constructor(scope: Construct, id: string, props: SignInApiProps) {
    super(scope, id);
    const removalPolicy = props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      encryptionKey: props.logKey,
      retention: props.logRetention,
      removalPolicy,
    });
    declareData(this.accessLogGroup, {
      purpose: 'API access logs: request id, time, source IP, method, resource path, status, latency',
      personalData: 'client IP addresses and user agents; no query strings, cookies or bodies',
    });

    this.api = new apigw.RestApi(this, 'Api', {
      description: 'NHS login relying party',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      disableExecuteApiEndpoint: props.customDomain !== undefined,
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: removalPolicy,
      deployOptions: {
        stageName: API_STAGE_NAME,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        // Fields chosen so no query string (code, state), cookie or body is ever written.
        accessLogFormat: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            extendedRequestId: '$context.extendedRequestId',
            requestTime: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            httpMethod: '$context.httpMethod',
            resourcePath: '$context.resourcePath',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            authorizerError: '$context.authorizer.error',
            wafStatus: '$context.wafResponseCode',
            xrayTraceId: '$context.xrayTraceId',
          }),
        ),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: props.throttleRateLimit,
        throttlingBurstLimit: props.throttleBurstLimit,
      },
    });
    this.stageArn = this.api.deploymentStage.stageArn;

    // API Gateway creates this group itself on first use, unencrypted and kept forever; create it first instead.
    this.executionLogGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${API_STAGE_NAME}`,
      encryptionKey: props.logKey,
      retention: props.logRetention,
      removalPolicy,
    });
    this.api.deploymentStage.node.addDependency(this.executionLogGroup);
    declareData(this.executionLogGroup, {
      purpose: 'API Gateway execution logs at ERROR level (no data tracing)',
      personalData: 'none expected (request ids and error messages only)',
    });

    // Every method validates what it declares (a mount's {proxy+} methods declare the proxy path parameter).
    const requestValidator = new apigw.RequestValidator(this, 'RequestValidator', {
      restApi: this.api,
      validateRequestParameters: true,
      validateRequestBody: true,
    });

    // Identifies API Gateway to the HTTP backends of mounts: a backend that requires mutual TLS with this certificate
    // refuses every caller that is not this API stage.
    this.clientCertificate = new apigw.CfnClientCertificate(this, 'BackendClientCertificate', {
      description: 'API Gateway to backend client certificate',
    });
    (this.api.deploymentStage.node.defaultChild as apigw.CfnStage).clientCertificateId = this.clientCertificate.ref;

    // `/` is the API root (the start page); resourceForPath('/') is the root resource itself.
    for (const route of props.publicRoutes) {
      this.api.root.resourceForPath(route.path).addMethod(route.method, new apigw.LambdaIntegration(route.handler), { requestValidator });
    }

    // No identity sources, so API Gateway calls the authorizer on every request, also one without a Cookie header
    // (a page mount must send that browser to sign in rather than answer a bare 401); and no caching, so logout and
    // idle expiry take effect on the next request.
    this.authorizer = new apigw.RequestAuthorizer(this, 'SessionAuthorizer', {
      handler: props.authorizer,
      identitySources: [],
      resultsCacheTtl: Duration.seconds(0),
    });
    // CDK writes the empty list as IdentitySource "", which API Gateway may read as a malformed source; leave it out.
    (this.authorizer.node.defaultChild as apigw.CfnAuthorizer).addPropertyDeletionOverride('IdentitySource');
    for (const route of props.protectedRoutes) {
      this.api.root.resourceForPath(route.path).addMethod(route.method, new apigw.LambdaIntegration(route.handler), {
        authorizer: this.authorizer,
        authorizationType: apigw.AuthorizationType.CUSTOM,
        requestValidator,
      });
    }

    this.mounts = new MountRoutes(this, 'Mounts', {
      api: this.api,
      authorizer: this.authorizer,
      requestValidator,
      mounts: props.mounts ?? [],
      loadBalancers: props.mountLoadBalancers,
    });

    // The authorizer's verdicts: JSON for scripts (403 carries the step-up hint), and for browsers (Accept:
    // text/html) a page that sends them on to sign in. API Gateway picks the template by the request's Accept header.
    // One definition, shared with the local front, so the deployed API and the local stack answer alike.
    // API Gateway's other answers (no route, throttling, WAF, failures, bad requests) keep their default status and
    // body and get the same protective headers (nosniff, no referrer, no framing, HSTS, no-store).
    for (const spec of [...AUTHORIZER_GATEWAY_RESPONSES, ...DEFAULT_GATEWAY_RESPONSES]) {
      this.api.addGatewayResponse(gatewayResponseId(spec.type), {
        type: apigw.ResponseType.of(spec.type),
        statusCode: spec.statusCode,
        templates: { ...spec.templates },
        responseHeaders: spec.responseHeaders,
      });
    }

    if (props.customDomain) {
      this.domainName = this.api.addDomainName('CustomDomain', {
        domainName: props.customDomain.domainName,
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.customDomain.certificateArn),
        endpointType: apigw.EndpointType.REGIONAL,
        securityPolicy: apigw.SecurityPolicy.TLS_1_2,
      });
    }
  }
}

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AUTHORIZER_GATEWAY_RESPONSES } from '../lambda/core/gateway-responses';
import { declareData } from './residency/data-map-metadata';

/** The API Gateway stage name (the first path segment on the execute-api URL). */
export const API_STAGE_NAME = 'live';

/** One public route: method, path and the function behind it. */
export interface PublicRoute {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly handler: lambda.IFunction;
}

export interface SignInApiProps {
  readonly publicRoutes: readonly PublicRoute[];
  /** Routes under /api/*, each behind the session authorizer. */
  readonly protectedRoutes: readonly PublicRoute[];
  readonly authorizer: lambda.IFunction;
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

    // Every method validates what it declares; /api/* declares the Cookie header the authorizer needs.
    const requestValidator = new apigw.RequestValidator(this, 'RequestValidator', {
      restApi: this.api,
      validateRequestParameters: true,
      validateRequestBody: true,
    });

    // Identifies API Gateway to HTTP backends behind /api/* (mutual TLS from the gateway's side).
    const clientCertificate = new apigw.CfnClientCertificate(this, 'BackendClientCertificate', {
      description: 'API Gateway to backend client certificate',
    });
    (this.api.deploymentStage.node.defaultChild as apigw.CfnStage).clientCertificateId = clientCertificate.ref;

    for (const route of props.publicRoutes) {
      this.api.root.resourceForPath(route.path).addMethod(route.method, new apigw.LambdaIntegration(route.handler), { requestValidator });
    }

    const authorizer = new apigw.RequestAuthorizer(this, 'SessionAuthorizer', {
      handler: props.authorizer,
      identitySources: [apigw.IdentitySource.header('Cookie')],
      // No caching: logout and idle expiry must take effect on the next request.
      resultsCacheTtl: Duration.seconds(0),
    });
    for (const route of props.protectedRoutes) {
      this.api.root.resourceForPath(route.path).addMethod(route.method, new apigw.LambdaIntegration(route.handler), {
        authorizer,
        authorizationType: apigw.AuthorizationType.CUSTOM,
        requestValidator,
        requestParameters: { 'method.request.header.Cookie': true },
      });
    }

    // The authorizer's verdicts as JSON the front end can act on (403 carries the step-up hint). One definition,
    // shared with the local front, so the deployed API and the local stack answer alike.
    for (const spec of AUTHORIZER_GATEWAY_RESPONSES) {
      this.api.addGatewayResponse(spec.type === 'UNAUTHORIZED' ? 'Unauthorized' : 'AccessDenied', {
        type: apigw.ResponseType.of(spec.type),
        statusCode: spec.statusCode,
        templates: { 'application/json': spec.template },
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

import { Match } from 'aws-cdk-lib/assertions';
import { AUTHORIZER_GATEWAY_RESPONSES, DEFAULT_GATEWAY_RESPONSES } from '../../lambda/core/gateway-responses';
import { IDENTITY_HEADERS } from '../../lambda/core/identity-headers';
import { ENVIRONMENT_KEYS } from '../../lambda/settings';
import { FUNCTION_NAMES, functionSpec, SIGNING_KEY_ACTIONS } from '../../lib/function-table';
import { keyActionsFor } from '../../lib/session-store';
import { IDENTITY_HEADER_RESPONSE } from '../../lib/waf-responses';
import { synthStage, type SynthesizedStage } from '../support/synth';

type Resources = Record<string, { Type: string; Properties: Record<string, any>; Metadata?: Record<string, unknown> }>;

const FUNCTION_IDS = FUNCTION_NAMES.map((n) => functionSpec(n).constructId);

/** True when a KmsKeyId-like value points at the stateful stack's data key. */
const isDataKeyRef = (value: unknown) => JSON.stringify(value).includes('DataKey');

describe('stateless stack', () => {
  let s: SynthesizedStage;
  let p: SynthesizedStage;
  let resources: Resources;
  const ofType = (type: string, r: Resources = resources) => Object.entries(r).filter(([, v]) => v.Type === type);

  beforeAll(() => {
    s = synthStage('sandpit');
    p = synthStage('production');
    resources = s.stateless.toJSON().Resources;
  });

  it('lives in eu-west-2 in the configured account', () => {
    expect(s.assembly.getStackByName('NhsLoginRp-sandpit-Stateless').environment).toMatchObject({ account: '111111111111', region: 'eu-west-2' });
  });

  describe('API', () => {
    it('is REGIONAL, never EDGE', () => {
      s.stateless.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    });

    it('logs execution at ERROR with data tracing off, traces with X-Ray, throttles as configured', () => {
      s.stateless.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: 'live',
        TracingEnabled: true,
        MethodSettings: [
          Match.objectLike({ LoggingLevel: 'ERROR', DataTraceEnabled: false, MetricsEnabled: true, ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 }),
        ],
      });
      p.stateless.hasResourceProperties('AWS::ApiGateway::Stage', {
        MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 })],
      });
    });

    it('writes JSON access logs without query strings, cookies or bodies to a KMS-encrypted log group', () => {
      const [[, stage]] = ofType('AWS::ApiGateway::Stage');
      const format = JSON.parse(stage.Properties.AccessLogSetting.Format);
      expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', resourcePath: '$context.resourcePath' });
      expect(stage.Properties.AccessLogSetting.Format).not.toMatch(/querystring|\.path|requestOverride|cookie|body/i);
      expect(JSON.stringify(stage.Properties.AccessLogSetting.DestinationArn)).toContain('SignInApiAccessLogs');
      const accessLogs = ofType('AWS::Logs::LogGroup').find(([id]) => id.startsWith('SignInApiAccessLogs'))!;
      expect(isDataKeyRef(accessLogs[1].Properties.KmsKeyId)).toBe(true);
    });

    it('creates the execution log group itself, encrypted and with retention, before the stage', () => {
      const [id, group] = ofType('AWS::Logs::LogGroup').find(([, g]) =>
        JSON.stringify(g.Properties.LogGroupName ?? '').includes('API-Gateway-Execution-Logs_'),
      )!;
      expect(group.Properties.LogGroupName).toEqual({
        'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: expect.stringMatching(/^SignInApi/) }, '/live']],
      });
      expect(isDataKeyRef(group.Properties.KmsKeyId)).toBe(true);
      expect(group.Properties.RetentionInDays).toBe(30);
      const [[, stage]] = ofType('AWS::ApiGateway::Stage');
      expect((stage as unknown as { DependsOn: string[] }).DependsOn).toContain(id);
    });

    it('serves the routes of the design (GET / at the API root), the session routes behind the REQUEST authorizer', () => {
      // The function table's routes are the Lambda proxy methods of our own functions (mounts: test/lib/mounts.test.ts).
      // Our own functions are invoked through their live alias (lib/releases.ts).
      const own = ofType('AWS::ApiGateway::Method').filter(([, m]) =>
        /"Ref":"[A-Za-z]+FunctionLive[0-9A-F]{8}"/.test(JSON.stringify(m.Properties.Integration.Uri)),
      );
      const paths = own.map(([, m]) => `${m.Properties.HttpMethod} ${(m as any).Metadata['aws:cdk:path'].split('/SignInApi/Api/')[1]}`);
      expect(paths.sort()).toEqual(
        [
          'GET Default/GET/Resource',
          'GET Default/auth/login/GET/Resource',
          'GET Default/auth/callback/GET/Resource',
          'POST Default/auth/logout/POST/Resource',
          'GET Default/auth/signed-out/GET/Resource',
          'GET Default/auth/timed-out/GET/Resource',
          'GET Default/auth/assets/{proxy+}/GET/Resource',
          'GET Default/auth/session/GET/Resource',
          'POST Default/auth/session/refresh/POST/Resource',
          'GET Default/auth/nhs-login-settings/GET/Resource',
          'GET Default/auth/jwks.json/GET/Resource',
          'GET Default/api/me/GET/Resource',
        ].sort(),
      );
      const me = own.find(([, m]) => (m as any).Metadata['aws:cdk:path'].includes('/api/me/'))!;
      expect(me[1].Properties).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: expect.stringContaining('SessionAuthorizer') } });
      // No Cookie requirement: API Gateway must call the authorizer also when there is no cookie at all.
      expect(me[1].Properties.RequestParameters).toBeUndefined();
      for (const [, m] of ofType('AWS::ApiGateway::Method')) expect(m.Properties.RequestValidatorId).toBeDefined();
      for (const [, m] of own) expect(m.Properties.Integration.Type).toBe('AWS_PROXY');
    });

    it('calls the REQUEST authorizer on every request: no identity sources, no result caching', () => {
      const [[, authorizer], ...others] = ofType('AWS::ApiGateway::Authorizer');
      expect(others).toHaveLength(0);
      expect(authorizer.Properties).toMatchObject({ Type: 'REQUEST', AuthorizerResultTtlInSeconds: 0 });
      expect(authorizer.Properties.IdentitySource).toBeUndefined();
      expect(JSON.stringify(authorizer.Properties.AuthorizerUri)).toContain('AuthorizerFunction');
    });

    it("answers the authorizer's 401 and 403 as JSON or, for browsers, HTML, from the one shared definition, with the security headers", () => {
      const responses = ofType('AWS::ApiGateway::GatewayResponse');
      // API Gateway's default responses are checked in gateway-responses.test.ts.
      expect(responses).toHaveLength(AUTHORIZER_GATEWAY_RESPONSES.length + DEFAULT_GATEWAY_RESPONSES.length);
      for (const spec of AUTHORIZER_GATEWAY_RESPONSES) {
        const [, response] = responses.find(([, r]) => r.Properties.ResponseType === spec.type)!;
        expect(response.Properties.StatusCode).toBe(spec.statusCode);
        expect(response.Properties.ResponseTemplates).toEqual({
          'application/json': spec.templates['application/json'],
          'text/html': spec.templates['text/html'],
        });
        expect(response.Properties.ResponseParameters).toEqual(
          Object.fromEntries(Object.entries(spec.responseHeaders).map(([name, value]) => [`gatewayresponse.header.${name}`, value])),
        );
        expect(response.Properties.ResponseParameters).toMatchObject({
          'gatewayresponse.header.Cache-Control': "'no-store'",
          'gatewayresponse.header.X-Content-Type-Options': "'nosniff'",
          'gatewayresponse.header.X-Frame-Options': "'DENY'",
          'gatewayresponse.header.Strict-Transport-Security': expect.stringMatching(/^'max-age=\d+/),
        });
      }
      s.stateless.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'ACCESS_DENIED',
        StatusCode: '403',
        ResponseTemplates: {
          'application/json': Match.stringLikeRegexp('\\$context\\.authorizer\\.stepUp'),
          'text/html': Match.stringLikeRegexp('http-equiv="refresh" content="0; url=\\$context\\.authorizer\\.signIn"'),
        },
      });
    });

    it('uses a regional custom domain with an eu-west-2 certificate and TLS 1.2, and no execute-api endpoint', () => {
      s.stateless.hasResourceProperties('AWS::ApiGateway::DomainName', {
        DomainName: 'sandpit.signin.example.nhs.uk',
        EndpointConfiguration: { Types: ['REGIONAL'] },
        RegionalCertificateArn: Match.stringLikeRegexp('^arn:aws:acm:eu-west-2:111111111111:certificate/'),
        SecurityPolicy: 'TLS_1_2',
      });
      s.stateless.resourcePropertiesCountIs('AWS::ApiGateway::DomainName', { CertificateArn: Match.anyValue() }, 0);
      s.stateless.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
    });
  });

  describe('WAF', () => {
    it('blocks, first of all rules, any request with a header named x-nhs-login-* in any case, with a JSON 403', () => {
      const [[, acl]] = ofType('AWS::WAFv2::WebACL');
      const [first] = [...acl.Properties.Rules].sort((a: any, b: any) => a.Priority - b.Priority);
      expect(first.Priority).toBe(0);
      expect(first.Statement).toEqual({
        ByteMatchStatement: {
          FieldToMatch: { Headers: { MatchPattern: { All: {} }, MatchScope: 'KEY', OversizeHandling: 'MATCH' } },
          PositionalConstraint: 'STARTS_WITH',
          SearchString: 'x-nhs-login-',
          TextTransformations: [{ Priority: 0, Type: 'LOWERCASE' }],
        },
      });
      expect(first.Action.Block.CustomResponse).toEqual({
        ResponseCode: 403,
        CustomResponseBodyKey: 'IdentityHeaderRefused',
        ResponseHeaders: Object.entries(IDENTITY_HEADER_RESPONSE.headers).map(([Name, Value]) => ({ Name, Value })),
      });
      expect(acl.Properties.CustomResponseBodies.IdentityHeaderRefused).toEqual({ ContentType: 'APPLICATION_JSON', Content: IDENTITY_HEADER_RESPONSE.body });
      expect(JSON.parse(IDENTITY_HEADER_RESPONSE.body)).toEqual({ message: 'Forbidden', error: 'identity_header_refused' });
      // The prefix is the one every identity header the integrations map starts with.
      for (const header of Object.values(IDENTITY_HEADERS)) expect(header.toLowerCase().startsWith(first.Statement.ByteMatchStatement.SearchString)).toBe(true);
      const priorities = acl.Properties.Rules.map((r: any) => r.Priority);
      expect(new Set(priorities).size).toBe(priorities.length);
    });

    it('is a REGIONAL web ACL with the three managed groups and the configured rate rule', () => {
      const [[, acl]] = ofType('AWS::WAFv2::WebACL');
      expect(acl.Properties.Scope).toBe('REGIONAL');
      const groups = acl.Properties.Rules.filter((r: any) => r.Statement.ManagedRuleGroupStatement).map((r: any) => r.Statement.ManagedRuleGroupStatement.Name);
      expect(groups.sort()).toEqual(['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']);
      const rate = acl.Properties.Rules.find((r: any) => r.Statement.RateBasedStatement);
      expect(rate.Statement.RateBasedStatement).toMatchObject({ AggregateKeyType: 'IP', Limit: 500 });
      expect(rate.Action).toEqual({ Block: {} });
    });

    it('is associated with the API stage', () => {
      const [[, assoc]] = ofType('AWS::WAFv2::WebACLAssociation');
      expect(JSON.stringify(assoc.Properties.ResourceArn)).toContain('/restapis/');
      expect(JSON.stringify(assoc.Properties.ResourceArn)).toContain('/stages/');
    });

    it('logs to an encrypted aws-waf-logs-* group with cookie, authorization and query string redacted', () => {
      s.stateless.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
        RedactedFields: Match.arrayEquals([{ SingleHeader: { Name: 'cookie' } }, { SingleHeader: { Name: 'authorization' } }, { QueryString: {} }]),
      });
      const [, group] = ofType('AWS::Logs::LogGroup').find(([id]) => id.startsWith('WafLogGroup'))!;
      expect(group.Properties.LogGroupName).toMatch(/^aws-waf-logs-/);
      expect(isDataKeyRef(group.Properties.KmsKeyId)).toBe(true);
    });
  });

  describe('functions', () => {
    it('are nodejs24.x on arm64 with explicit memory, timeout, X-Ray, reserved concurrency and JSON logs', () => {
      const fns = ofType('AWS::Lambda::Function');
      expect(fns).toHaveLength(FUNCTION_IDS.length);
      for (const [, fn] of fns) {
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          MemorySize: expect.any(Number),
          Timeout: expect.any(Number),
          TracingConfig: { Mode: 'Active' },
          ReservedConcurrentExecutions: expect.any(Number),
          LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.stringMatching(/LogGroup/) } },
        });
      }
    });

    it('take reserved concurrency from the stage config', () => {
      const callback = ofType('AWS::Lambda::Function', p.stateless.toJSON().Resources).find(([id]) => id.startsWith('CallbackFunction'))!;
      expect(callback[1].Properties.ReservedConcurrentExecutions).toBe(100);
      const authorizer = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('AuthorizerFunction'))!;
      expect(authorizer[1].Properties.ReservedConcurrentExecutions).toBe(50);
    });

    it('carry only the declared, non-secret settings in their environment', () => {
      const allowed = new Set([...Object.values(ENVIRONMENT_KEYS), 'NODE_OPTIONS']);
      for (const [, fn] of ofType('AWS::Lambda::Function')) {
        const vars = fn.Properties.Environment.Variables as Record<string, unknown>;
        for (const name of Object.keys(vars)) expect(allowed).toContain(name);
        expect(vars.NHS_LOGIN_ISSUER).toBe('https://auth.sandpit.signin.nhs.uk');
        expect(JSON.stringify(vars)).not.toMatch(/BEGIN (RSA )?PRIVATE KEY|secret/i);
      }
    });

    it('each have their own KMS-encrypted log group with the configured retention and no Custom::LogRetention', () => {
      const groups = ofType('AWS::Logs::LogGroup');
      for (const [, g] of groups) {
        expect(isDataKeyRef(g.Properties.KmsKeyId)).toBe(true);
        expect(g.Properties.RetentionInDays).toBe(30);
      }
      expect(groups.filter(([id]) => /Function(LogGroup)/.test(id))).toHaveLength(FUNCTION_IDS.length);
      expect(ofType('Custom::LogRetention')).toHaveLength(0);
      for (const [, g] of ofType('AWS::Logs::LogGroup', p.stateless.toJSON().Resources)) expect(g.Properties.RetentionInDays).toBe(731);
    });

    it('have roles with no inline policy: the shared baseline plus a managed policy of their own', () => {
      expect(ofType('AWS::IAM::Policy')).toHaveLength(0);
      for (const fn of FUNCTION_IDS) {
        const [, role] = ofType('AWS::IAM::Role').find(([id]) => id.startsWith(`${fn}FunctionRole`))!;
        expect(role.Properties.ManagedPolicyArns).toEqual([
          { Ref: expect.stringMatching(/^FunctionBaselinePolicy/) },
          { Ref: expect.stringMatching(new RegExp(`^${fn}FunctionPolicy`)) },
        ]);
        expect(role.Properties.Policies).toBeUndefined();
      }
    });

    it('deny every request outside eu-west-2 in the baseline', () => {
      const [, baseline] = ofType('AWS::IAM::ManagedPolicy').find(([id]) => id.startsWith('FunctionBaselinePolicy'))!;
      expect(baseline.Properties.PolicyDocument.Statement).toContainEqual({
        Sid: 'DenyOutsideHomeRegion',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-2' } },
      });
    });

    const policyOf = (fn: string) =>
      ofType('AWS::IAM::ManagedPolicy').find(([id]) => id.startsWith(`${fn}FunctionPolicy`))![1].Properties.PolicyDocument.Statement as any[];
    const actionsOf = (fn: string) => policyOf(fn).flatMap((st) => [st.Action].flat());

    it('grant kms:Sign and kms:GetPublicKey on the current signing key to the callback and the settings link alone, and tag them as signers', () => {
      const onSigningKey = (fn: string) => policyOf(fn).filter((st) => JSON.stringify(st.Resource).includes('SigningKeysV1'));
      const signing = ['Callback', 'NhsLoginSettings'];
      for (const fn of signing) {
        const [sign, ...more] = onSigningKey(fn);
        expect(more).toHaveLength(0);
        expect(sign.Action).toEqual(['kms:GetPublicKey', 'kms:Sign']);
      }
      for (const fn of FUNCTION_IDS.filter((f) => !signing.includes(f))) expect([fn, onSigningKey(fn)]).toEqual([fn, []]);
      const signers = ofType('AWS::IAM::Role').filter(([, r]) => (r.Properties.Tags ?? []).some((t: any) => t.Key === 'nhs-login-rp:assertion-signer'));
      expect(signers.map(([id]) => id).sort()).toEqual([
        expect.stringMatching(/^CallbackFunctionRole/),
        expect.stringMatching(/^NhsLoginSettingsFunctionRole/),
      ]);
    });

    it('grant each function exactly the table operations of its row in the function table, and the data key only through DynamoDB', () => {
      const dynamo = (fn: string) =>
        actionsOf(fn)
          .filter((a) => a.startsWith('dynamodb:'))
          .sort();
      for (const name of FUNCTION_NAMES) {
        const spec = functionSpec(name);
        expect([name, dynamo(spec.constructId)]).toEqual([name, [...spec.dynamodb].sort()]);
        const key = actionsOf(spec.constructId).filter((a) => a.startsWith('kms:') && !(SIGNING_KEY_ACTIONS as readonly string[]).includes(a));
        expect([name, key.sort()]).toEqual([name, keyActionsFor(spec.dynamodb)]);
      }
      // The rows themselves: what the handlers call (test/integration/iam-use.test.ts proves it against moto).
      expect(dynamo('Callback')).toEqual(['dynamodb:DeleteItem', 'dynamodb:PutItem']);
      expect(dynamo('Authorizer')).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
      for (const fn of FUNCTION_IDS) {
        for (const st of policyOf(fn)) {
          expect(st.Resource).not.toBe('*');
          const actions = [st.Action].flat() as string[];
          if (actions.some((a) => a.startsWith('kms:') && a !== 'kms:Sign' && a !== 'kms:GetPublicKey')) {
            expect(st.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-2.amazonaws.com' } });
          }
        }
      }
    });
  });

  describe('monitoring', () => {
    const alarms = () => ofType('AWS::CloudWatch::Alarm');

    it('sends every alarm (and its recovery) to the encrypted topic, treating missing data as not breaching but for the synthetic check', () => {
      // Per route function 4 (errors, server errors, throttles, duration), the authorizer 3 (failures, throttles,
      // duration); API 3, table 2, WAF 1; sign-in success 1, provider errors 4 (one per call), token latency 1,
      // synthetic check 1, restore test 1, backup job 1, undelivered backup notification 1 (test/lib/operations.test.ts
      // checks those).
      expect(alarms().length).toBe((FUNCTION_IDS.length - 1) * 4 + 3 + 3 + 2 + 1 + 1 + 4 + 1 + 1 + 1 + 1 + 1);
      for (const [id, a] of alarms()) {
        expect(a.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringAlarmTopic/) }]);
        expect(a.Properties.OKActions).toEqual(a.Properties.AlarmActions);
        // The check runs whatever the traffic: no data means it stopped, which is itself an alarm.
        expect([id, a.Properties.TreatMissingData]).toEqual([id, id.startsWith('MonitoringSyntheticCheckFailed') ? 'breaching' : 'notBreaching']);
      }
      const [, topic] = ofType('AWS::SNS::Topic')[0];
      expect(isDataKeyRef(topic.Properties.KmsMasterKeyId)).toBe(true);
      s.stateless.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'nhs-login-rp-alerts@example.nhs.uk' }, 1);
    });

    it('watch each function for errors, throttles and duration near its timeout', () => {
      for (const fn of FUNCTION_IDS) {
        const ids = alarms()
          .map(([id]) => id)
          .filter((id) => new RegExp(`^Monitoring${fn}(DurationNearTimeout|Errors|Throttles)[0-9A-F]{8}$`).test(id));
        // The authorizer's Lambda errors count every 401 it answers: its alarm is on its real failures instead.
        const errors = fn === 'Authorizer' ? [] : [`Monitoring${fn}Errors`];
        expect(ids.map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(
          [`Monitoring${fn}DurationNearTimeout`, ...errors, `Monitoring${fn}Throttles`].sort(),
        );
      }
      const [, callbackDuration] = alarms().find(([id]) => id.startsWith('MonitoringCallbackDurationNearTimeout'))!;
      expect(callbackDuration.Properties).toMatchObject({ ExtendedStatistic: 'p99', Threshold: 16000 });
    });

    it('watch the API (5XX rate, 4XX surge, p99 latency), the table (throttles, system errors) and WAF blocks', () => {
      const names = alarms().map(([id]) => id.replace(/[0-9A-F]{8}$/, ''));
      expect(names).toEqual(
        expect.arrayContaining([
          'MonitoringApi5xxRate',
          'MonitoringApi4xxSurge',
          'MonitoringApiP99Latency',
          'MonitoringTableThrottledRequests',
          'MonitoringTableSystemErrors',
          'MonitoringWafBlockedSurge',
        ]),
      );
      const [, waf] = alarms().find(([id]) => id.startsWith('MonitoringWafBlockedSurge'))!;
      expect(waf.Properties).toMatchObject({ Namespace: 'AWS/WAFV2', MetricName: 'BlockedRequests' });
    });

    it('has a dashboard of the same signals', () => {
      const [[, dashboard]] = ofType('AWS::CloudWatch::Dashboard');
      const body = JSON.stringify(dashboard.Properties.DashboardBody);
      for (const signal of ['5XXError', '4XXError', 'Latency', 'BlockedRequests', 'ThrottledRequests', 'SystemErrors', 'Duration'])
        expect(body).toContain(signal);
    });
  });

  it('tags every taggable resource with service, stage and data classification', () => {
    s.stateless.hasResourceProperties('AWS::Lambda::Function', {
      Tags: Match.arrayWith(
        [
          { Key: 'service', Value: 'nhs-login-rp' },
          { Key: 'stage', Value: 'sandpit' },
          { Key: 'data-classification', Value: 'test-data-only' },
        ].sort((a, b) => a.Key.localeCompare(b.Key)),
      ),
    });
    s.stateful.hasResourceProperties('AWS::DynamoDB::Table', { Tags: Match.arrayWith([{ Key: 'data-classification', Value: 'test-data-only' }]) });
  });
});

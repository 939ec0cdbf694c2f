import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { sandpit } from '../../config/stages/sandpit';
import { IDENTITY_HEADERS } from '../../lambda/core/identity-headers';
import { ENVIRONMENT_KEYS } from '../../lambda/settings';
import { addGuardrails } from '../../lib/nag';
import { NhsLoginRelyingParty } from '../../lib/relying-party';
import { buildResidencyReport, readResidencyInput, scanResidency } from '../../lib/residency';
import { protectedRoutesFor } from '../../lib/runtime-settings';
import { synthStage, type SynthesizedStage } from '../support/synth';

type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, any> };
type Resources = Record<string, Resource>;

const ACCOUNT = '111111111111';
const RECORDS_ARN = `arn:aws:lambda:eu-west-2:${ACCOUNT}:function:partner-records-api`;
const NLB = 'partner-app-0123456789abcdef.elb.eu-west-2.amazonaws.com';
const HEADER_MAPPINGS = {
  'integration.request.header.X-NHS-Login-Sub': 'context.authorizer.sub',
  'integration.request.header.X-NHS-Login-Vot': 'context.authorizer.vot',
  'integration.request.header.X-NHS-Login-Identity-Proofing-Level': 'context.authorizer.identityProofingLevel',
  'integration.request.header.X-NHS-Login-Assertion': 'context.authorizer.assertion',
};

/** The methods of a stateless template by `<METHOD> <resource path>`, e.g. `GET /app/{proxy+}` (`GET /` is the root). */
function methodsOf(resources: Resources): Record<string, Resource> {
  const out: Record<string, Resource> = {};
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::ApiGateway::Method') continue;
    const [, below] = String(r.Metadata?.['aws:cdk:path']).split('/SignInApi/Api/Default');
    const path = below!.replace(/\/[A-Z]+\/Resource$/, '');
    out[`${r.Properties.HttpMethod} ${path === '' ? '/' : path}`] = r;
  }
  return out;
}

const ofType = (resources: Resources, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe('mounts', () => {
  let s: SynthesizedStage;
  let resources: Resources;
  let methods: Record<string, Resource>;

  beforeAll(() => {
    s = synthStage('sandpit');
    resources = s.stateless.toJSON().Resources;
    methods = methodsOf(resources);
  });

  it('serve each mount at its path and everything below it, with each configured method on both', () => {
    const mountMethods = Object.keys(methods).filter((m) => /^[A-Z]+ \/(app|api\/records|api\/appointments|static)(\/|$)/.test(m));
    expect(mountMethods.sort()).toEqual(
      [
        'GET /app',
        'POST /app',
        'GET /app/{proxy+}',
        'POST /app/{proxy+}',
        'GET /api/records',
        'POST /api/records',
        'GET /api/records/{proxy+}',
        'POST /api/records/{proxy+}',
        'GET /api/appointments',
        'GET /api/appointments/{proxy+}',
        'GET /static',
        'HEAD /static',
        'GET /static/{proxy+}',
        'HEAD /static/{proxy+}',
      ].sort(),
    );
    // A mount's proxy resource forwards its path to the target, so it must declare the path parameter it maps.
    for (const name of mountMethods) {
      const m = methods[name] as Resource;
      if (name.endsWith('/{proxy+}')) expect([name, m.Properties.RequestParameters]).toEqual([name, { 'method.request.path.proxy': true }]);
    }
  });

  describe('by kind', () => {
    it('page and api mounts sit behind the session authorizer', () => {
      for (const name of ['GET /app', 'POST /app/{proxy+}', 'GET /api/records', 'POST /api/records/{proxy+}', 'GET /api/appointments/{proxy+}']) {
        expect([name, methods[name]!.Properties]).toEqual([
          name,
          expect.objectContaining({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: expect.stringMatching(/^SignInApiSessionAuthorizer/) } }),
        ]);
      }
    });

    it('public mounts have no authorizer and pass no identity headers', () => {
      for (const name of ['GET /static', 'HEAD /static', 'GET /static/{proxy+}', 'HEAD /static/{proxy+}']) {
        const m = methods[name]!.Properties;
        expect([name, m.AuthorizationType, m.AuthorizerId]).toEqual([name, 'NONE', undefined]);
        expect(Object.keys(m.Integration.RequestParameters ?? {}).filter((k) => k.includes('X-NHS-Login'))).toEqual([]);
      }
    });

    it('per-method assurance reaches the authorizer: its PROTECTED_ROUTES hold every protected resource and nothing public', () => {
      const [, authorizer] = ofType(resources, 'AWS::Lambda::Function').find(([id]) => id.startsWith('AuthorizerFunction'))!;
      const routes = JSON.parse(authorizer.Properties.Environment.Variables[ENVIRONMENT_KEYS.protectedRoutes]);
      expect(routes).toEqual(protectedRoutesFor(s.config));
      expect(routes['/api/records']).toEqual({ kind: 'api', assurance: 'standard', methods: { POST: 'high' } });
      expect(routes['/api/records/{proxy+}']).toEqual(routes['/api/records']);
      expect(routes['/app/{proxy+}']).toMatchObject({ kind: 'page', assurance: 'standard', audience: 'https://sandpit.signin.example.nhs.uk/app' });
      expect(Object.keys(routes).filter((r) => r.startsWith('/static'))).toEqual([]);
      // Every method behind the authorizer has its rule there (the authorizer refuses resources it has none for).
      for (const [name, m] of Object.entries(methods)) {
        if (m.Properties.AuthorizationType === 'CUSTOM') expect(Object.keys(routes)).toContain(name.split(' ')[1]);
      }
    });

    it("a mount's own minimum and per-method minimums follow the config", () => {
      const strict = synthStage({
        ...sandpit,
        mounts: [
          {
            path: '/portal',
            kind: 'page',
            methods: ['GET', 'PUT', 'DELETE'],
            assurance: 'high',
            methodAssurance: { GET: 'standard' },
            target: { type: 'http', url: 'https://portal.partner.example.nhs.uk' },
          },
        ],
      });
      const [, authorizer] = ofType(strict.stateless.toJSON().Resources, 'AWS::Lambda::Function').find(([id]) => id.startsWith('AuthorizerFunction'))!;
      const routes = JSON.parse(authorizer.Properties.Environment.Variables[ENVIRONMENT_KEYS.protectedRoutes]);
      expect(routes['/portal']).toEqual({
        kind: 'page',
        assurance: 'high',
        methods: { GET: 'standard' },
        audience: 'https://sandpit.signin.example.nhs.uk/portal',
      });
      expect(
        Object.keys(methodsOf(strict.stateless.toJSON().Resources))
          .filter((m) => m.includes('/portal'))
          .sort(),
      ).toEqual(['DELETE /portal', 'DELETE /portal/{proxy+}', 'GET /portal', 'GET /portal/{proxy+}', 'PUT /portal', 'PUT /portal/{proxy+}'].sort());
    });
  });

  describe('by target', () => {
    it('lambda: a Lambda proxy integration to the function, without identity header mappings', () => {
      for (const name of ['GET /api/records', 'POST /api/records/{proxy+}']) {
        const integration = methods[name]!.Properties.Integration;
        expect(integration).toMatchObject({
          Type: 'AWS_PROXY',
          IntegrationHttpMethod: 'POST',
          Uri: `arn:aws:apigateway:eu-west-2:lambda:path/2015-03-31/functions/${RECORDS_ARN}/invocations`,
        });
        expect(integration.RequestParameters).toBeUndefined();
      }
    });

    it('lambda: one invoke permission per method, its source this API stage, method and path only', () => {
      const permissions = ofType(resources, 'AWS::Lambda::Permission').filter(([, p]) => p.Properties.FunctionName === RECORDS_ARN);
      const sources = permissions.map(([, p]) => {
        expect(p.Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
        const [prefix, parts] = p.Properties.SourceArn['Fn::Join'];
        expect(prefix).toBe('');
        expect(parts.slice(0, 4)).toEqual([
          `arn:aws:execute-api:eu-west-2:${ACCOUNT}:`,
          { Ref: expect.stringMatching(/^SignInApi[0-9A-F]{8}$/) },
          '/',
          { Ref: expect.stringMatching(/^SignInApiDeploymentStagelive/) },
        ]);
        return parts[4];
      });
      expect(sources.sort()).toEqual(['/GET/api/records', '/GET/api/records/*', '/POST/api/records', '/POST/api/records/*'].sort());
    });

    it('http: HTTP_PROXY to the URL and the URL with the proxy path, with the identity headers of a protected mount', () => {
      const base = methods['GET /api/appointments']!.Properties.Integration;
      const below = methods['GET /api/appointments/{proxy+}']!.Properties.Integration;
      expect(base).toEqual({
        Type: 'HTTP_PROXY',
        IntegrationHttpMethod: 'GET',
        Uri: 'https://appointments.partner.example.nhs.uk/v1',
        RequestParameters: HEADER_MAPPINGS,
      });
      expect(below).toEqual({
        Type: 'HTTP_PROXY',
        IntegrationHttpMethod: 'GET',
        Uri: 'https://appointments.partner.example.nhs.uk/v1/{proxy}',
        RequestParameters: { ...HEADER_MAPPINGS, 'integration.request.path.proxy': 'method.request.path.proxy' },
      });
      expect(methods['GET /static/{proxy+}']!.Properties.Integration).toEqual({
        Type: 'HTTP_PROXY',
        IntegrationHttpMethod: 'GET',
        Uri: 'https://static.partner.example.nhs.uk/{proxy}',
        RequestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
      });
      expect(methods['HEAD /static']!.Properties.Integration).toMatchObject({ IntegrationHttpMethod: 'HEAD', Uri: 'https://static.partner.example.nhs.uk' });
    });

    it('http: maps every identity header from the authorizer context (overwriting what a client sent)', () => {
      expect(
        Object.keys(HEADER_MAPPINGS)
          .map((k) => k.replace('integration.request.header.', ''))
          .sort(),
      ).toEqual(Object.values(IDENTITY_HEADERS).sort());
    });

    it('vpcLink: HTTP_PROXY through the configured VPC link to the load balancer, with the same mappings', () => {
      for (const method of ['GET', 'POST']) {
        expect(methods[`${method} /app`]!.Properties.Integration).toEqual({
          Type: 'HTTP_PROXY',
          IntegrationHttpMethod: method,
          ConnectionType: 'VPC_LINK',
          ConnectionId: 'a1b2c3',
          Uri: `https://${NLB}:443`,
          RequestParameters: HEADER_MAPPINGS,
        });
        expect(methods[`${method} /app/{proxy+}`]!.Properties.Integration).toEqual({
          Type: 'HTTP_PROXY',
          IntegrationHttpMethod: method,
          ConnectionType: 'VPC_LINK',
          ConnectionId: 'a1b2c3',
          Uri: `https://${NLB}:443/{proxy}`,
          RequestParameters: { ...HEADER_MAPPINGS, 'integration.request.path.proxy': 'method.request.path.proxy' },
        });
      }
      expect(ofType(resources, 'AWS::ApiGateway::VpcLink')).toHaveLength(0);
    });

    it('the stage presents its client certificate to every backend', () => {
      const [[certificateId]] = ofType(resources, 'AWS::ApiGateway::ClientCertificate');
      const [[, stage]] = ofType(resources, 'AWS::ApiGateway::Stage');
      expect(stage.Properties.ClientCertificateId).toEqual({ Ref: certificateId });
    });

    it('each HTTP and VPC-link method declares its backend for the residency report', () => {
      expect(methods['GET /api/appointments']!.Metadata?.UkResidencyBackend).toEqual({
        host: 'appointments.partner.example.nhs.uk',
        purpose: 'the api mount /api/appointments (stage config)',
      });
      expect(methods['POST /app/{proxy+}']!.Metadata?.UkResidencyBackend).toEqual({ host: NLB, purpose: 'the page mount /app (stage config)' });
      expect(methods['GET /api/records']!.Metadata?.UkResidencyBackend).toBeUndefined();
    });
  });

  it('the residency report lists each HTTP and VPC-link backend as declared egress, with the methods using it', () => {
    const report = buildResidencyReport(readResidencyInput(s.assembly.directory));
    expect(report.passed).toBe(true);
    const backends = report.egress.filter((e) => e.kind === 'backend');
    const stack = 'NhsLoginRp-sandpit/Stateless';
    const backend = (url: string) => backends.find((b) => b.url === url);
    expect(backends.map((b) => b.url).sort()).toEqual(
      ['https://appointments.partner.example.nhs.uk/v1', `https://${NLB}:443`, 'https://static.partner.example.nhs.uk'].sort(),
    );
    expect(backend(`https://${NLB}:443`)).toEqual({
      kind: 'backend',
      url: `https://${NLB}:443`,
      host: NLB,
      functions: [],
      connection: 'vpc-link',
      purpose: 'the page mount /app (stage config)',
      methods: [`GET /app (${stack})`, `POST /app (${stack})`, `GET /app/{proxy+} (${stack})`, `POST /app/{proxy+} (${stack})`],
    });
    expect(backend('https://appointments.partner.example.nhs.uk/v1')).toMatchObject({
      host: 'appointments.partner.example.nhs.uk',
      connection: 'internet',
      methods: [`GET /api/appointments (${stack})`, `GET /api/appointments/{proxy+} (${stack})`],
    });
    expect(backend('https://static.partner.example.nhs.uk')).toMatchObject({ connection: 'internet', purpose: 'the public mount /static (stage config)' });
    expect(backend('https://static.partner.example.nhs.uk')?.methods).toHaveLength(4);
    expect(report.egress.filter((e) => e.kind === 'nhs-login').map((e) => e.url)).toEqual(['https://auth.sandpit.signin.nhs.uk']);
  });

  describe('identity assertion key', () => {
    const onAssertionKey = (fn: string) =>
      ofType(resources, 'AWS::IAM::ManagedPolicy')
        .filter(([id]) => id.startsWith(`${fn}FunctionPolicy`))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[])
        .filter((st) => JSON.stringify(st.Resource).includes('IdentityAssertionKey'));

    it('the authorizer may sign with it and read its public key, and carries the asserter tag', () => {
      expect(onAssertionKey('Authorizer')).toEqual([expect.objectContaining({ Effect: 'Allow', Action: ['kms:GetPublicKey', 'kms:Sign'] })]);
      const tagged = ofType(resources, 'AWS::IAM::Role').filter(([, r]) =>
        (r.Properties.Tags ?? []).some((t: any) => t.Key === 'nhs-login-rp:identity-asserter'),
      );
      expect(tagged.map(([id, r]) => [id, r.Properties.Tags.find((t: any) => t.Key === 'nhs-login-rp:identity-asserter').Value])).toEqual([
        [expect.stringMatching(/^AuthorizerFunctionRole/), 'authorizer'],
      ]);
    });

    it('the JWKS function may only read its public key; no other function may touch it', () => {
      expect(onAssertionKey('Jwks')).toEqual([expect.objectContaining({ Effect: 'Allow', Action: 'kms:GetPublicKey' })]);
      for (const fn of ['Login', 'Callback', 'Logout', 'SignedOut', 'Session', 'Me', 'Start']) expect([fn, onAssertionKey(fn)]).toEqual([fn, []]);
    });

    it('every function is told which key it is', () => {
      for (const [, fn] of ofType(resources, 'AWS::Lambda::Function')) {
        expect(JSON.stringify(fn.Properties.Environment.Variables[ENVIRONMENT_KEYS.assertionKeyId])).toContain('IdentityAssertionKey');
      }
    });
  });

  describe('VPC link from a load balancer', () => {
    const build = (loadBalancers: (scope: Stack) => Record<string, elbv2.INetworkLoadBalancer>) => {
      const app = new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true } });
      const partner = new Stack(app, 'Partner', { env: { account: ACCOUNT, region: 'eu-west-2' } });
      const rp = new NhsLoginRelyingParty(app, 'NhsLoginRp-sandpit', { config: sandpit, mountLoadBalancers: loadBalancers(partner) });
      addGuardrails(app); // nag-clean and residency-clean with a created VPC link too (synthesis throws otherwise)
      return Template.fromStack(rp.stateless).toJSON().Resources as Resources;
    };
    const nlbArn = `arn:aws:elasticloadbalancing:eu-west-2:${ACCOUNT}:loadbalancer/net/partner-app/0123456789abcdef`;
    const imported = (scope: Stack) =>
      elbv2.NetworkLoadBalancer.fromNetworkLoadBalancerAttributes(scope, 'App', {
        loadBalancerArn: nlbArn,
        loadBalancerDnsName: 'partner-app-fedcba9876543210.elb.eu-west-2.amazonaws.com',
      });

    it('creates the VPC link to the load balancer and forwards to its DNS name instead of the configured link', () => {
      const r = build((scope) => ({ '/app': imported(scope) }));
      const [[linkId, link], ...others] = ofType(r, 'AWS::ApiGateway::VpcLink');
      expect(others).toHaveLength(0);
      expect(link.Properties.TargetArns).toEqual([nlbArn]);
      const app = methodsOf(r)['GET /app/{proxy+}']!.Properties.Integration;
      expect(app).toMatchObject({
        ConnectionType: 'VPC_LINK',
        ConnectionId: { Ref: linkId },
        Uri: 'https://partner-app-fedcba9876543210.elb.eu-west-2.amazonaws.com:443/{proxy}',
      });
    });

    it('refuses a load balancer for a path that is not a vpcLink mount', () => {
      expect(() => build((scope) => ({ '/api/appointments': imported(scope) }))).toThrow(/\/api\/appointments, which is not a vpcLink mount/);
    });
  });

  it('a declaration is no acknowledgement: an undeclared backend fails synthesis, a URI moved off the declared host fails the scan', () => {
    const stage = () => {
      const app = new App({
        outdir: mkdtempSync(path.join(tmpdir(), 'rp-mounts-')),
        builtinCloudFormationValidation: false,
        context: { 'aws:cdk:bundling-stacks': [] },
      });
      return { app, rp: new NhsLoginRelyingParty(app, 'NhsLoginRp-sandpit', { config: sandpit }) };
    };
    const undeclared = stage();
    undeclared.rp.stateless.api.api.root.addResource('leak').addMethod('GET', new apigw.HttpIntegration('https://collector.example.com'));
    addGuardrails(undeclared.app);
    expect(() => undeclared.app.synth()).toThrow(/outside AWS eu-west-2 and not declared egress/);

    // An escape hatch is only in the synthesized template, which the scanner reads.
    const moved = stage();
    const method = moved.rp.stateless.api.mounts.methods.find((m) => m.mount.path === '/api/appointments')!.method;
    (method.node.defaultChild as apigw.CfnMethod).addPropertyOverride('Integration.Uri', 'https://collector.example.com/v1');
    const findings = scanResidency(moved.app.synth().directory).findings.filter((f) => f.ruleId === 'UkResidency-ExternalEndpoints');
    expect(findings).toEqual([
      expect.objectContaining({
        path: 'Properties.Integration.Uri',
        message: expect.stringContaining('the declared backend is appointments.partner.example.nhs.uk'),
      }),
    ]);
  });

  it('a stage with every target and kind is nag-clean and residency-clean', () => {
    expect(() =>
      synthStage(
        {
          ...sandpit,
          mounts: [
            ...(sandpit.mounts ?? []),
            {
              path: '/health',
              kind: 'public',
              methods: ['GET'],
              target: { type: 'lambda', functionArn: `arn:aws:lambda:eu-west-2:${ACCOUNT}:function:partner-health` },
            },
            { path: '/portal', kind: 'page', methods: ['GET', 'PUT'], target: { type: 'vpcLink', vpcLinkId: 'd4e5f6', nlbDnsName: NLB, port: 8443 } },
          ],
        },
        { guardrails: true },
      ),
    ).not.toThrow();
  });
});

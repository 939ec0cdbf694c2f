/**
 * Egress discovery: the report lists each NHS login issuer the functions are configured with, once, with every
 * function that calls it, and each backend API methods forward to, once, with every method that uses it, so a
 * reviewer sees all traffic leaving AWS.
 */
import type { TemplateUnit } from '../../../lib/residency/assembly';
import { BACKEND_METADATA_KEY } from '../../../lib/residency/backend-declaration';
import { collectEgress, ISSUER_VARIABLE } from '../../../lib/residency/report/egress';
import type { CfnResourceEntry } from '../../../lib/residency/template';

const fn = (issuer?: unknown): CfnResourceEntry => ({
  Type: 'AWS::Lambda::Function',
  Properties: { Environment: { Variables: issuer === undefined ? { TABLE: 'sessions' } : { [ISSUER_VARIABLE]: issuer } } },
});
const templates: TemplateUnit[] = [
  {
    file: 'Api.template.json',
    env: {},
    template: {
      Resources: {
        Login: fn('https://auth.sandpit.signin.nhs.uk'),
        Metrics: fn(),
        Parameter: { Type: 'AWS::SSM::Parameter', Properties: { Environment: { Variables: { [ISSUER_VARIABLE]: 'https://ignored.example' } } } },
        Callback: fn({ 'Fn::Join': ['', ['https://auth.', 'sandpit.signin.nhs.uk']] }),
      },
    },
  },
  { file: 'Admin.template.json', env: {}, template: { Resources: { Broken: fn('not a url'), Session: fn('https://auth.sandpit.signin.nhs.uk') } } },
];
const egress = collectEgress(templates, (unit) => unit.file.replace('.template.json', ''));

test('one entry per issuer, in the order first seen, with every function that calls it', () => {
  expect(egress).toEqual([
    {
      kind: 'nhs-login',
      url: 'https://auth.sandpit.signin.nhs.uk',
      host: 'auth.sandpit.signin.nhs.uk',
      functions: ['Login (Api)', 'Callback (Api)', 'Session (Admin)'],
      methods: [],
    },
    { kind: 'nhs-login', url: 'not a url', host: 'not a url', functions: ['Broken (Admin)'], methods: [] },
  ]);
});

test('functions without the issuer variable, and other resource types, are no egress', () => {
  expect(egress.flatMap((e) => e.functions).some((f) => f.startsWith('Metrics') || f.startsWith('Parameter'))).toBe(false);
  expect(collectEgress([{ file: 'Empty.template.json', env: {}, template: { Resources: { Metrics: fn() } } }], () => 'Empty')).toEqual([]);
});

describe('backends', () => {
  const method = (httpMethod: string, resourceId: unknown, integration: Record<string, unknown>, metadata?: Record<string, unknown>): CfnResourceEntry => ({
    Type: 'AWS::ApiGateway::Method',
    Properties: { HttpMethod: httpMethod, ResourceId: resourceId, RestApiId: { Ref: 'Api' }, Integration: integration },
    ...(metadata ? { Metadata: metadata } : {}),
  });
  const declared = (purpose: string) => ({ [BACKEND_METADATA_KEY]: { host: 'appointments.example.nhs.uk', purpose } });
  const resources: Record<string, CfnResourceEntry> = {
    Api: { Type: 'AWS::ApiGateway::RestApi', Properties: {} },
    ApiResource: {
      Type: 'AWS::ApiGateway::Resource',
      Properties: { ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] }, PathPart: 'api', RestApiId: { Ref: 'Api' } },
    },
    Appointments: { Type: 'AWS::ApiGateway::Resource', Properties: { ParentId: { Ref: 'ApiResource' }, PathPart: 'appointments', RestApiId: { Ref: 'Api' } } },
    Proxy: { Type: 'AWS::ApiGateway::Resource', Properties: { ParentId: { Ref: 'Appointments' }, PathPart: '{proxy+}', RestApiId: { Ref: 'Api' } } },
    Base: method(
      'GET',
      { Ref: 'Appointments' },
      { Type: 'HTTP_PROXY', Uri: 'https://appointments.example.nhs.uk/v1' },
      declared('the api mount /api/appointments'),
    ),
    Below: method(
      'POST',
      { Ref: 'Proxy' },
      { Type: 'HTTP_PROXY', Uri: 'https://appointments.example.nhs.uk/v1/{proxy}' },
      declared('the api mount /api/appointments'),
    ),
    App: method(
      'GET',
      { Ref: 'Elsewhere' },
      {
        Type: 'HTTP_PROXY',
        ConnectionType: 'VPC_LINK',
        ConnectionId: 'a1b2c3',
        Uri: 'https://app-0123.elb.eu-west-2.amazonaws.com:443/{proxy}',
      },
    ),
    Root: method(
      'GET',
      { 'Fn::GetAtt': ['Api', 'RootResourceId'] },
      { Type: 'AWS_PROXY', Uri: 'arn:aws:apigateway:eu-west-2:lambda:path/functions/x/invocations' },
    ),
    Login: fn('https://auth.sandpit.signin.nhs.uk'),
  };
  const found = collectEgress([{ file: 'Api.template.json', env: {}, template: { Resources: resources } }], () => 'Api');

  test('every HTTP integration is a backend, once per base URL and connection, with its methods and declaration, after the issuer', () => {
    expect(found).toEqual([
      expect.objectContaining({ kind: 'nhs-login', url: 'https://auth.sandpit.signin.nhs.uk' }),
      {
        kind: 'backend',
        url: 'https://appointments.example.nhs.uk/v1',
        host: 'appointments.example.nhs.uk',
        functions: [],
        methods: ['GET /api/appointments (Api)', 'POST /api/appointments/{proxy+} (Api)'],
        connection: 'internet',
        purpose: 'the api mount /api/appointments',
      },
      {
        kind: 'backend',
        url: 'https://app-0123.elb.eu-west-2.amazonaws.com:443',
        host: 'app-0123.elb.eu-west-2.amazonaws.com',
        functions: [],
        // A resource outside this template is named by the method's logical id.
        methods: ['GET App (Api)'],
        connection: 'vpc-link',
        purpose: 'undeclared',
      },
    ]);
  });

  test('Lambda proxy integrations are no egress', () => {
    expect(found.flatMap((e) => e.methods).some((m) => m.includes('Root'))).toBe(false);
  });
});

import { mountResources } from '../../config/mounts';
import { AUTHORIZER_GATEWAY_RESPONSES } from '../../lambda/core/gateway-responses';
import {
  AUTHORIZER_FAILURE,
  authorizerGatewayResponse,
  encodePathSegment,
  endToEndHeaders,
  identityHeadersFrom,
  INTEGRATION_FAILURE,
  INTEGRATION_TIMEOUT,
  integrationRequestHeaders,
  integrationTarget,
  matchResource,
  MISSING_AUTHENTICATION_TOKEN,
  parseTarget,
  policyAllows,
  REQUEST_TOO_LARGE,
  WAF_FORBIDDEN,
} from '../../local/api-gateway';

/** The API Gateway behaviour the local front reproduces, one rule at a time. */
const RESOURCES = ['/', '/auth/login', '/api/me', ...mountResources('/app'), ...mountResources('/api/demo')];
const route = (url: string) => {
  const t = parseTarget(url);
  return t.segments ? matchResource(RESOURCES, t.segments) : undefined;
};

describe('resource matching', () => {
  it.each([
    ['/', '/', null],
    ['/auth/login?returnTo=/x', '/auth/login', null],
    ['/app', '/app', null],
    ['/app/', '/app', null],
    ['/app/some/page?x=1', '/app/{proxy+}', 'some/page'],
    ['/api/demo', '/api/demo', null],
    ['/api/demo/', '/api/demo', null],
    ['/api/demo/%78', '/api/demo/{proxy+}', 'x'],
    ['/api/demo//x', '/api/demo/{proxy+}', '/x'],
    ['/api/demo/a%2Fb', '/api/demo/{proxy+}', 'a/b'],
    ['/api/%64emo/x', '/api/demo/{proxy+}', 'x'],
    ['/api/me', '/api/me', null],
  ])('%s -> %s (proxy %j)', (url, resource, proxy) => {
    const m = route(url);
    expect(m?.resource).toBe(resource);
    expect(m?.pathParameters?.proxy ?? null).toBe(proxy);
  });

  it.each(['/API/demo', '/Api/demo/x', '/apps', '/app%2Fx', '/api', '/api/demox', '/api/me/x', '//app', '/app/%zz', 'http://evil.example/app', '*'])(
    '%s matches no resource',
    (url) => {
      expect(route(url)).toBeUndefined();
    },
  );

  it('an exact resource beats a greedy one, and the longest greedy prefix wins', () => {
    const resources = ['/api/{proxy+}', '/api/demo/{proxy+}', '/api/demo/x'];
    expect(matchResource(resources, ['api', 'demo', 'x'])?.resource).toBe('/api/demo/x');
    expect(matchResource(resources, ['api', 'demo', 'y'])?.resource).toBe('/api/demo/{proxy+}');
    expect(matchResource(resources, ['api', 'other'])?.resource).toBe('/api/{proxy+}');
  });

  it('keeps the raw path and query as received', () => {
    expect(parseTarget('/app/a%20b?x=1&y=%20&x=2')).toEqual({ rawPath: '/app/a%20b', rawQuery: 'x=1&y=%20&x=2', segments: ['app', 'a b'] });
  });
});

describe('the HTTP_PROXY integration request', () => {
  it('appends the re-encoded proxy path to the target and keeps the query as received', () => {
    const at = (target: string, url: string) => {
      const t = integrationTarget(target, route(url)!, parseTarget(url).rawQuery);
      return `${t.origin.origin} ${t.path}`;
    };
    expect(at('http://127.0.0.1:1/', '/app/some/page?x=1&y=two')).toBe('http://127.0.0.1:1 /some/page?x=1&y=two');
    expect(at('http://127.0.0.1:1/base', '/app/a%2Fb/c%20d')).toBe('http://127.0.0.1:1 /base/a%2Fb/c%20d');
    expect(at('http://127.0.0.1:1', '/app?q=%41')).toBe('http://127.0.0.1:1 /?q=%41');
    expect(at('http://127.0.0.1:1/base/', '/app')).toBe('http://127.0.0.1:1 /base');
    expect(encodePathSegment("a:b@c!$&'()*+,;=é/?#")).toBe("a:b@c!$&'()*+,;=%C3%A9%2F%3F%23");
  });

  it('never lets a dot segment climb out of the target path', () => {
    const at = (url: string) => integrationTarget('http://127.0.0.1:1/base', route(url)!, '').path;
    expect(at('/app/%2e%2e/x')).toBe('/base/%2E%2E/x');
    expect(at('/app/./x')).toBe('/base/%2E/x');
    expect(at('/app/..%2Fx')).toBe('/base/..%2Fx');
  });

  it('drops hop-by-hop headers, Host, Content-Length and every x-nhs-login-* header; adds the identity and X-Forwarded-For', () => {
    // biome-ignore format: one header (name, value) per line
    const raw = [
      'Host', 'localhost:3000',
      'Connection', 'keep-alive, X-Private',
      'X-Private', 'hop',
      'Keep-Alive', 'timeout=5',
      'Transfer-Encoding', 'chunked',
      'Upgrade', 'h2c',
      'Content-Length', '3',
      'Accept', 'text/html',
      'Cookie', 'a=1',
      'X-NHS-Login-Sub', 'spoofed',
      'x-nhs-login-assertion', 'spoofed',
      'X-Nhs-Login-Whatever', 'spoofed',
      'X-Forwarded-For', '10.0.0.1',
      '__proto__', 'odd',
      'constructor', 'odd',
    ];
    const identity = identityHeadersFrom({ sub: 'real-sub', vot: 'P9.Cp.Cd', identityProofingLevel: 'P9', assertion: 'a.b.c', claims: '{}' });
    expect(integrationRequestHeaders(raw, identity, '127.0.0.1')).toEqual([
      ['Accept', 'text/html'],
      ['Cookie', 'a=1'],
      ['__proto__', 'odd'],
      ['constructor', 'odd'],
      ['X-NHS-Login-Sub', 'real-sub'],
      ['X-NHS-Login-Vot', 'P9.Cp.Cd'],
      ['X-NHS-Login-Identity-Proofing-Level', 'P9'],
      ['X-NHS-Login-Assertion', 'a.b.c'],
      ['X-Forwarded-For', '10.0.0.1, 127.0.0.1'],
    ]);
  });

  it('sends the assertion only when the authorizer issued one, and no identity for public mounts', () => {
    expect(identityHeadersFrom({ sub: 's', vot: 'P5.Cp.Cd', identityProofingLevel: 'P5' }).map(([n]) => n)).toEqual([
      'X-NHS-Login-Sub',
      'X-NHS-Login-Vot',
      'X-NHS-Login-Identity-Proofing-Level',
    ]);
    expect(integrationRequestHeaders(['X-NHS-Login-Sub', 'spoofed'], [], '127.0.0.1')).toEqual([['X-Forwarded-For', '127.0.0.1']]);
  });

  it('relays response headers minus hop-by-hop ones, repeats kept', () => {
    expect(endToEndHeaders(['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Connection', 'close', 'Transfer-Encoding', 'chunked'])).toEqual([
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ]);
  });
});

describe('authorizer verdicts', () => {
  const arn = 'arn:aws:execute-api:eu-west-2:123456789012:local/local/GET/app/x';
  const verdict = (...statements: Array<{ Effect: string; Resource: string | string[]; Action?: string }>) => ({
    principalId: 'p',
    policyDocument: { Version: '2012-10-17', Statement: statements.map((s) => ({ Action: 'execute-api:Invoke', ...s })) },
  });

  it('evaluates the policy against the method ARN: an explicit Deny wins, a non-matching Allow is no Allow', () => {
    expect(policyAllows(verdict({ Effect: 'Allow', Resource: arn }) as never, arn)).toBe(true);
    expect(policyAllows(verdict({ Effect: 'Allow', Resource: 'arn:aws:execute-api:eu-west-2:123456789012:local/local/GET/*' }) as never, arn)).toBe(true);
    expect(policyAllows(verdict({ Effect: 'Allow', Resource: arn.replace('/app/x', '/api/me') }) as never, arn)).toBe(false);
    expect(policyAllows(verdict({ Effect: 'Allow', Resource: '*' }, { Effect: 'Deny', Resource: arn }) as never, arn)).toBe(false);
    expect(policyAllows(verdict({ Effect: 'Allow', Resource: arn, Action: 's3:GetObject' }) as never, arn)).toBe(false);
    expect(policyAllows(verdict() as never, arn)).toBe(false);
  });

  it('answers with the shared gateway responses, the template chosen by Accept and the spec headers set', () => {
    const context = { reason: 'no_session', signIn: '/auth/login?returnTo=%2Fapp%2Fx' };
    const html = authorizerGatewayResponse('ACCESS_DENIED', context, 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8');
    expect(html.statusCode).toBe(403);
    expect(html.headers?.['Content-Type']).toBe('text/html');
    expect(html.body).toContain('url=/auth/login?returnTo=%2Fapp%2Fx');
    const json = authorizerGatewayResponse('ACCESS_DENIED', context, '*/*');
    expect(json.headers?.['Content-Type']).toBe('application/json');
    expect(JSON.parse(json.body)).toMatchObject({ error: 'no_session', signIn: '/auth/login?returnTo=%2Fapp%2Fx' });
    const spec = AUTHORIZER_GATEWAY_RESPONSES.find((r) => r.type === 'UNAUTHORIZED')!;
    const unauthorized = authorizerGatewayResponse('UNAUTHORIZED', {}, undefined);
    expect(unauthorized.statusCode).toBe(401);
    for (const [name, literal] of Object.entries(spec.responseHeaders)) expect(unauthorized.headers?.[name]).toBe(literal.slice(1, -1));
  });
});

describe("API Gateway's own answers", () => {
  const SECURITY_HEADERS = {
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  };

  it.each([
    ['MISSING_AUTHENTICATION_TOKEN', MISSING_AUTHENTICATION_TOKEN, 403, '{"message":"Missing Authentication Token"}'],
    ['AUTHORIZER_FAILURE', AUTHORIZER_FAILURE, 500, '{"message":null}'],
    ['INTEGRATION_FAILURE', INTEGRATION_FAILURE, 500, '{"message":"Internal server error"}'],
    ['INTEGRATION_TIMEOUT', INTEGRATION_TIMEOUT, 504, '{"message":"Endpoint request timed out"}'],
    ['REQUEST_TOO_LARGE', REQUEST_TOO_LARGE, 413, '{"message":"Request Too Long"}'],
    ['WAF_FORBIDDEN', WAF_FORBIDDEN, 403, '{"message":"Forbidden","error":"identity_header_refused"}'],
  ])('%s keeps its status and body and carries the security headers', (_name, answer, status, body) => {
    expect(answer.statusCode).toBe(status);
    expect(answer.body).toBe(body);
    expect(answer.headers).toMatchObject({ ...SECURITY_HEADERS, 'Content-Type': 'application/json' });
  });
});

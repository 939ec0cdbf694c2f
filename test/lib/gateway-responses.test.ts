import { synthStage, type SynthesizedStage } from '../support/synth';

/**
 * API Gateway's own answers (gateway responses) in the template: every default response this API can give carries
 * the same protective headers as the handlers' responses, and keeps API Gateway's default status and body.
 */
type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

const SECURITY_HEADERS = {
  'gatewayresponse.header.Cache-Control': "'no-store'",
  'gatewayresponse.header.Referrer-Policy': "'no-referrer'",
  'gatewayresponse.header.X-Content-Type-Options': "'nosniff'",
  'gatewayresponse.header.X-Frame-Options': "'DENY'",
  'gatewayresponse.header.Strict-Transport-Security': "'max-age=31536000; includeSubDomains'",
};

/** API Gateway's default gateway responses: type, default status (none for the two catch-alls). */
const DEFAULTS: ReadonlyArray<[string, string | undefined]> = [
  ['DEFAULT_4XX', undefined],
  ['DEFAULT_5XX', undefined],
  ['MISSING_AUTHENTICATION_TOKEN', '403'],
  ['THROTTLED', '429'],
  ['WAF_FILTERED', '403'],
  ['AUTHORIZER_FAILURE', '500'],
  ['AUTHORIZER_CONFIGURATION_ERROR', '500'],
  ['INTEGRATION_FAILURE', '504'],
  ['INTEGRATION_TIMEOUT', '504'],
  ['REQUEST_TOO_LARGE', '413'],
  ['BAD_REQUEST_PARAMETERS', '400'],
  ['BAD_REQUEST_BODY', '400'],
];

describe("API Gateway's own answers", () => {
  let s: SynthesizedStage;
  let responses: Array<Resources[string]>;

  beforeAll(() => {
    s = synthStage('sandpit');
    const resources = s.stateless.toJSON().Resources as Resources;
    responses = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::GatewayResponse');
  });

  it.each(DEFAULTS)('%s keeps its default status (%s) and body, with the security headers', (type, status) => {
    const matching = responses.filter((r) => r.Properties.ResponseType === type);
    expect(matching).toHaveLength(1);
    const [response] = matching;
    expect(response!.Properties.StatusCode).toBe(status);
    expect(response!.Properties.ResponseTemplates).toEqual({ 'application/json': '{"message":$context.error.messageString}' });
    expect(response!.Properties.ResponseParameters).toEqual(SECURITY_HEADERS);
  });

  it("every gateway response of the API, the authorizer's 401 and 403 included, carries the security headers", () => {
    expect(responses.map((r) => r.Properties.ResponseType).sort()).toEqual([...DEFAULTS.map(([type]) => type), 'ACCESS_DENIED', 'UNAUTHORIZED'].sort());
    for (const response of responses) expect(response.Properties.ResponseParameters).toEqual(SECURITY_HEADERS);
  });
});

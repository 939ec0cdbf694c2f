/**
 * What API Gateway must answer when the `/api/*` authorizer says no. A REQUEST authorizer cannot choose a status:
 * throwing `Error('Unauthorized')` gives the UNAUTHORIZED gateway response (401) and a Deny policy gives
 * ACCESS_DENIED (403). The authorizer puts the step-up hint in its context on Deny, and these templates copy it
 * into the body (`$context.authorizer.<key>`). The CDK API construct (lib/api.ts) configures exactly these; the local
 * front applies the same ones, so both behave alike.
 */
export interface GatewayResponseSpec {
  /** API Gateway's response type. */
  type: 'UNAUTHORIZED' | 'ACCESS_DENIED';
  statusCode: '401' | '403';
  /** Values are header mapping expressions: a literal in single quotes. */
  responseHeaders: Record<string, string>;
  /** Mapping template for `application/json`. */
  template: string;
}

const HEADERS = { 'Cache-Control': "'no-store'" };

export const AUTHORIZER_GATEWAY_RESPONSES: readonly GatewayResponseSpec[] = [
  {
    type: 'UNAUTHORIZED',
    statusCode: '401',
    responseHeaders: HEADERS,
    template: '{"authenticated":false,"error":"unauthenticated"}',
  },
  {
    type: 'ACCESS_DENIED',
    statusCode: '403',
    responseHeaders: HEADERS,
    template: '{"error":"insufficient_assurance","requiredAssurance":"$context.authorizer.requiredAssurance","stepUp":"$context.authorizer.stepUp"}',
  },
];

/** Renders a template the way API Gateway does for the `$context.authorizer.<key>` references used above. */
export function renderGatewayTemplate(template: string, authorizerContext: Record<string, unknown>): string {
  return template.replace(/\$context\.authorizer\.([A-Za-z0-9_]+)/g, (_m, key: string) => {
    const v = authorizerContext[key];
    return v === undefined || v === null ? '' : JSON.stringify(String(v)).slice(1, -1);
  });
}

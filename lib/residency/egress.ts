/**
 * Third-party egress: every place a template can name a host outside AWS that the service sends data to, and whether
 * that host is declared egress. One list serves the rules (an undeclared host is a finding) and the report (each
 * declared host is listed with the resources that use it), so the two cannot disagree.
 */
import { backendDeclarationOf, hostOf } from './backend-declaration';
import { MARKER, openDocuments, renderText } from './intrinsics';
import { findRegionNames, isAllowedRegion } from './regions';
import type { ResidencySettings } from './settings';
import { isRecord, JSON_SEGMENT, type CfnTemplate, type ResourceView, type ValuePath } from './template';

/** One place a resource sends requests, events or records to a URL it names. */
export interface EgressUse {
  /** Where the URL is, inside the resource's `Properties`. */
  readonly path: ValuePath;
  /** The URL as the template renders it. */
  readonly url: string;
  /** What sends there, for messages and the report ("HTTP integration", "SNS https subscription"...). */
  readonly what: string;
  /** Set for an API Gateway integration through a VPC link, which reaches a load balancer in the API's own region. */
  readonly vpcLink?: boolean;
}

/** Where a URL leads, as far as the template shows. */
export type EgressVerdict =
  | { readonly kind: 'aws-in-region' }
  | { readonly kind: 'aws-elsewhere'; readonly region?: string }
  | { readonly kind: 'loopback' }
  | { readonly kind: 'private' }
  | { readonly kind: 'declared'; readonly host: string }
  | { readonly kind: 'plain-http'; readonly host: string }
  | { readonly kind: 'undeclared'; readonly host: string }
  | { readonly kind: 'unknown-host' };

/** Observability and error-reporting SaaS that functions are commonly pointed at by environment. */
export const TELEMETRY_HOSTS =
  /\b(datadoghq\.(com|eu)|datadog|newrelic\.com|nr-data\.net|sentry\.io|ingest\.sentry|honeycomb\.io|logz\.io|splunkcloud\.com|loggly\.com|papertrailapp\.com|sumologic\.com|dynatrace\.com|lightstep\.com|grafana\.net|logtail\.com|bugsnag\.com|rollbar\.com|elastic-cloud\.com)\b/i;

/** The same services by host name only, for searching any text (where a bare word such as "datadog" may be a name). */
export const TELEMETRY_SAAS_HOSTS =
  /\b[a-z0-9.-]*\b(datadoghq\.(com|eu)|newrelic\.com|nr-data\.net|sentry\.io|honeycomb\.io|logz\.io|splunkcloud\.com|loggly\.com|papertrailapp\.com|sumologic\.com|dynatrace\.com|lightstep\.com|grafana\.net|logtail\.com|bugsnag\.com|rollbar\.com|elastic-cloud\.com)\b/i;

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * Names and addresses that resolve only inside a network (RFC 6762 `.local`, `.internal` as in EC2's
 * `compute.internal`, RFC 8375 `home.arpa`, RFC 1918 addresses): a call there stays in the VPC, not third-party egress.
 */
const PRIVATE_HOST = /(\.(internal|local|localdomain|intranet|corp|lan)|\.home\.arpa)$|^(10\.\d+|192\.168|172\.(1[6-9]|2\d|3[01]))\.\d+\.\d+$/;

/** An AWS host: a service endpoint (`*.amazonaws.com`, `*.on.aws`, `*.api.aws`) or a global edge one. */
const AWS_HOST = /(^|\.)(amazonaws\.com(\.cn)?|on\.aws|api\.aws|cloudfront\.net|awsglobalaccelerator\.com|amazoncognito\.com|«URLSuffix»)$/;

/** True for an AWS host in an allowed region (`*.eu-west-2.amazonaws.com`, or one built from `${AWS::Region}`). */
export function isInRegionAwsHost(host: string, settings: ResidencySettings): boolean {
  if (!AWS_HOST.test(host)) return false;
  const labels = host.split('.');
  return labels.some((l) => l === MARKER.region || isAllowedRegion(l, settings)) && !findRegionNames(host).some((r) => !isAllowedRegion(r.region, settings));
}

/** A host name in lower case, markers (`«Region»`) left as they are. */
export function lowerHost(host: string | undefined): string | undefined {
  return host?.replace(/«[^»]*»|[^«]+/g, (m) => (m.startsWith('«') ? m : m.toLowerCase()));
}

/** True for any AWS host. */
export function isAwsHost(host: string): boolean {
  return AWS_HOST.test(host);
}

/**
 * Where a URL leads: AWS in an allowed region; AWS elsewhere or a global AWS edge (never declared egress); loopback
 * or a name private to the network;
 * a declared host (settings' `egressHosts`, or the resource's own `declareBackend` host) over https; or an
 * undeclared host, one whose name the template leaves to a parameter, or plain http.
 */
export function classifyUrl(url: string, settings: ResidencySettings, declaredHost?: string): EgressVerdict {
  const host = lowerHost(hostOf(url));
  if (host === undefined || host.includes('«')) {
    // A host built from pseudo parameters is an AWS one only when the whole name is.
    if (host !== undefined && isInRegionAwsHost(host, settings)) return { kind: 'aws-in-region' };
    return { kind: 'unknown-host' };
  }
  if (isAwsHost(host)) {
    if (isInRegionAwsHost(host, settings)) return { kind: 'aws-in-region' };
    const region = findRegionNames(host).find((r) => !isAllowedRegion(r.region, settings))?.region;
    return { kind: 'aws-elsewhere', ...(region ? { region } : {}) };
  }
  if (LOOPBACK.includes(host)) return { kind: 'loopback' };
  if (PRIVATE_HOST.test(host)) return { kind: 'private' };
  const declared = settings.egressHosts.includes(host) || (declaredHost !== undefined && declaredHost.toLowerCase() === host);
  if (!declared) return { kind: 'undeclared', host };
  return /^https:\/\//i.test(url) ? { kind: 'declared', host } : { kind: 'plain-http', host };
}

/** The backend host a resource declares (`declareBackend`), when it declares one. */
export function declaredHostOf(resource: { readonly logicalId: string; readonly template: CfnTemplate }): string | undefined {
  const declared = backendDeclarationOf(resource.template, resource.logicalId);
  return declared ? renderText(declared.host, resource.template).toLowerCase() : undefined;
}

/** Every `x-amazon-apigateway-integration` of an OpenAPI body with an HTTP type, and its `uri`. */
function openApiIntegrations(body: unknown, path: ValuePath, out: { path: ValuePath; uri: unknown; vpcLink: boolean }[]): void {
  if (Array.isArray(body)) {
    for (const [i, v] of body.entries()) openApiIntegrations(v, [...path, i], out);
  } else if (isRecord(body)) {
    for (const [k, v] of Object.entries(body)) {
      if (k === 'x-amazon-apigateway-integration' && isRecord(v) && typeof v.type === 'string' && /^http(_proxy)?$/i.test(v.type) && v.uri !== undefined) {
        out.push({ path: [...path, k, 'uri'], uri: v.uri, vpcLink: typeof v.connectionType === 'string' && /^vpc_link$/i.test(v.connectionType) });
      } else openApiIntegrations(v, [...path, k], out);
    }
  }
}

/** Every HTTP task of a state machine definition (`arn:aws:states:::http:invoke`) and its `ApiEndpoint`. */
function httpTasks(definition: unknown, path: ValuePath, out: { path: ValuePath; endpoint: unknown }[]): void {
  if (Array.isArray(definition)) {
    for (const [i, v] of definition.entries()) httpTasks(v, [...path, i], out);
  } else if (isRecord(definition)) {
    if (typeof definition.Resource === 'string' && /:states:[^:]*:[^:]*:http:invoke/.test(definition.Resource)) {
      for (const key of ['Parameters', 'Arguments']) {
        const args = definition[key];
        if (isRecord(args)) {
          for (const field of ['ApiEndpoint', 'ApiEndpoint.$']) if (args[field] !== undefined) out.push({ path: [...path, key, field], endpoint: args[field] });
        }
      }
    }
    for (const [k, v] of Object.entries(definition)) httpTasks(v, [...path, k], out);
  }
}

/** A document property as the rules read it, with the path segment its opening adds. */
function documentAt(properties: Readonly<Record<string, unknown>>, key: string, template: CfnTemplate): { doc: unknown; path: ValuePath } | undefined {
  const raw = properties[key];
  if (raw === undefined) return undefined;
  const opened = openDocuments(raw, template);
  return {
    doc: opened,
    path: typeof raw === 'string' || (isRecord(raw) && !Object.keys(raw).some((k) => !k.startsWith('Fn::'))) ? [key, JSON_SEGMENT] : [key],
  };
}

/** `${Name}` placeholders of a state machine definition, filled in from its `DefinitionSubstitutions`. */
function substitute(text: string, substitutions: unknown, template: CfnTemplate): string {
  if (!isRecord(substitutions)) return text;
  return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => (substitutions[name] !== undefined ? renderText(substitutions[name], template) : whole));
}

/**
 * Every URL a resource sends data to, by type: API Gateway HTTP integrations (methods, HTTP API integrations and
 * quick-create targets, and the integrations of OpenAPI bodies), AppSync HTTP data sources, Step Functions HTTP tasks,
 * EventBridge API destinations and connection authorization endpoints, SNS http(s) subscriptions and Firehose HTTP,
 * Splunk and Snowflake destinations. Lambda environment values are read by `UkResidency-LambdaEgress`.
 */
export function egressUses(resource: Pick<ResourceView, 'type' | 'properties' | 'template'>): EgressUse[] {
  const p = resource.properties;
  const t = resource.template;
  const out: EgressUse[] = [];
  const add = (value: unknown, path: ValuePath, what: string, vpcLink = false) => {
    if (value === undefined) return;
    out.push({ path, url: renderText(value, t), what, ...(vpcLink ? { vpcLink } : {}) });
  };
  switch (resource.type) {
    case 'AWS::ApiGateway::Method': {
      const i = p.Integration;
      if (isRecord(i) && (i.Type === 'HTTP' || i.Type === 'HTTP_PROXY'))
        add(i.Uri, ['Integration', 'Uri'], `${i.Type} integration`, i.ConnectionType === 'VPC_LINK');
      break;
    }
    case 'AWS::ApiGateway::RestApi':
    case 'AWS::ApiGatewayV2::Api': {
      const body = documentAt(p, 'Body', t);
      if (body) {
        const found: { path: ValuePath; uri: unknown; vpcLink: boolean }[] = [];
        openApiIntegrations(body.doc, body.path, found);
        for (const f of found) add(f.uri, f.path, 'OpenAPI HTTP integration', f.vpcLink);
      }
      if (resource.type === 'AWS::ApiGatewayV2::Api' && /^https?:/i.test(renderText(p.Target, t))) add(p.Target, ['Target'], 'HTTP API target');
      break;
    }
    case 'AWS::ApiGatewayV2::Integration':
      if (p.IntegrationType === 'HTTP_PROXY' && /^https?:/i.test(renderText(p.IntegrationUri, t)))
        add(p.IntegrationUri, ['IntegrationUri'], 'HTTP_PROXY integration', p.ConnectionType === 'VPC_LINK');
      break;
    case 'AWS::AppSync::DataSource':
      if (p.Type === 'HTTP' && isRecord(p.HttpConfig)) add(p.HttpConfig.Endpoint, ['HttpConfig', 'Endpoint'], 'AppSync HTTP data source');
      break;
    case 'AWS::StepFunctions::StateMachine': {
      for (const key of ['Definition', 'DefinitionString']) {
        const def = documentAt(p, key, t);
        if (!def) continue;
        const found: { path: ValuePath; endpoint: unknown }[] = [];
        httpTasks(def.doc, def.path, found);
        for (const f of found) {
          const url = substitute(renderText(f.endpoint, t), p.DefinitionSubstitutions, t);
          out.push({ path: f.path, url, what: 'Step Functions HTTP task' });
        }
      }
      break;
    }
    case 'AWS::Events::ApiDestination':
      add(p.InvocationEndpoint, ['InvocationEndpoint'], 'API destination');
      break;
    case 'AWS::Events::Connection': {
      const oauth = isRecord(p.AuthParameters) ? p.AuthParameters.OAuthParameters : undefined;
      if (isRecord(oauth))
        add(oauth.AuthorizationEndpoint, ['AuthParameters', 'OAuthParameters', 'AuthorizationEndpoint'], 'EventBridge connection OAuth endpoint');
      break;
    }
    case 'AWS::SNS::Subscription':
    case 'AWS::SNS::Topic': {
      const subs: { s: unknown; base: ValuePath }[] =
        resource.type === 'AWS::SNS::Subscription'
          ? [{ s: p, base: [] }]
          : (Array.isArray(p.Subscription) ? p.Subscription : []).map((s, i) => ({ s, base: ['Subscription', i] }));
      for (const { s, base } of subs) {
        if (isRecord(s) && typeof s.Protocol === 'string' && /^https?$/i.test(s.Protocol))
          add(s.Endpoint, [...base, 'Endpoint'], `SNS ${s.Protocol.toLowerCase()} subscription`);
      }
      break;
    }
    case 'AWS::KinesisFirehose::DeliveryStream': {
      const http = p.HttpEndpointDestinationConfiguration;
      if (isRecord(http) && isRecord(http.EndpointConfiguration))
        add(http.EndpointConfiguration.Url, ['HttpEndpointDestinationConfiguration', 'EndpointConfiguration', 'Url'], 'Firehose HTTP endpoint');
      const splunk = p.SplunkDestinationConfiguration;
      if (isRecord(splunk)) add(splunk.HECEndpoint ?? '«?»', ['SplunkDestinationConfiguration', 'HECEndpoint'], 'Firehose Splunk destination');
      const snowflake = p.SnowflakeDestinationConfiguration;
      if (isRecord(snowflake)) add(snowflake.AccountUrl ?? '«?»', ['SnowflakeDestinationConfiguration', 'AccountUrl'], 'Firehose Snowflake destination');
      break;
    }
    default:
      break;
  }
  return out;
}

import { ENVIRONMENT_KEYS } from '../../../lambda/settings';
import { NHS_LOGIN_ISSUERS } from '../../../config/schema';
import { findArns, MARKER, renderText, show } from '../intrinsics';
import { ALLOWED_REGION, findRegionNames } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { isRecord } from '../template';
import { isInRegionAwsHost } from './UkResidency-ExternalEndpoints';

/** Hosts a function may be told to call: the NHS login issuers (the only egress) and loopback (local stage). */
export const ALLOWED_EGRESS_HOSTS: readonly string[] = [...Object.values(NHS_LOGIN_ISSUERS).map((u) => new URL(u).hostname), '127.0.0.1', 'localhost'];

/**
 * Accounts whose layers may run in a function besides this stack's own: AWS-published layers that run in the
 * function's region (Powertools for AWS Lambda, CloudWatch Lambda Insights).
 */
export const ALLOWED_LAYER_ACCOUNTS: readonly string[] = ['094274105915', '580247275435'];

/** Observability and error-reporting SaaS that functions are commonly pointed at by environment. */
const TELEMETRY_HOSTS =
  /\b(datadoghq\.(com|eu)|datadog|newrelic\.com|nr-data\.net|sentry\.io|ingest\.sentry|honeycomb\.io|logz\.io|splunkcloud\.com|loggly\.com|papertrailapp\.com|sumologic\.com|dynatrace\.com|lightstep\.com|grafana\.net|logtail\.com|bugsnag\.com|rollbar\.com|elastic-cloud\.com)\b/i;

/** Variables that hold the service's own public URL (where the browser returns), not a place the function calls. */
const SELF_URL_VARIABLES: readonly string[] = [ENVIRONMENT_KEYS.redirectUri];

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/([^/\s:?#"',]+)/gi;

/**
 * A function's configuration names only allowed egress: URLs in its environment point at the NHS login issuer,
 * loopback, AWS in eu-west-2 or the service's own host (that of its callback URL); no telemetry SaaS endpoints;
 * layers come from this account or from AWS.
 */
export const LambdaEgress: ResourceRule = {
  id: 'UkResidency-LambdaEgress',
  scope: 'resource',
  info: `Lambda environment URLs must be the NHS login issuer, loopback, AWS ${ALLOWED_REGION} or the service's own host; no telemetry SaaS; layers from this account or AWS only.`,
  explanation:
    'A function sends data wherever its configuration tells it: an endpoint in an environment variable (a ' +
    'telemetry or error-reporting SaaS, an API elsewhere) or a third-party layer (an extension that ships logs and ' +
    'traces out) is egress this service does not have. Its only egress is the NHS login issuer.',
  check(resource) {
    if (resource.type !== 'AWS::Lambda::Function') return [];
    const hits: RuleHit[] = [];
    const env = isRecord(resource.properties.Environment) ? resource.properties.Environment.Variables : undefined;
    if (isRecord(env)) {
      // The service's own host (that of its callback URL) is not egress wherever it appears: the identity assertions'
      // audiences (`PROTECTED_ROUTES`) are URLs on it that name a mount, never a place the function calls.
      const ownHosts = new Set(
        SELF_URL_VARIABLES.flatMap((name) =>
          env[name] === undefined ? [] : [...renderText(env[name], resource.template).matchAll(URL_IN_TEXT)].map((m) => (m[1] ?? '').toLowerCase()),
        ),
      );
      for (const [name, raw] of Object.entries(env)) {
        const text = renderText(raw, resource.template);
        const path = ['Environment', 'Variables', name];
        const telemetry = TELEMETRY_HOSTS.exec(text);
        if (telemetry) {
          hits.push({ path, message: `names the telemetry service ${telemetry[0]}` });
          continue;
        }
        if (SELF_URL_VARIABLES.includes(name)) continue;
        for (const m of text.matchAll(URL_IN_TEXT)) {
          const host = (m[1] ?? '').toLowerCase();
          if (ALLOWED_EGRESS_HOSTS.includes(host) || ownHosts.has(host) || isInRegionAwsHost(m[0])) continue;
          const region = findRegionNames(host).find((r) => r.region !== ALLOWED_REGION)?.region;
          hits.push({
            path,
            message: `points the function at ${host}, which is not an allowed egress (NHS login issuer, loopback, AWS ${ALLOWED_REGION})`,
            ...(region ? { region } : {}),
          });
        }
      }
    }
    const layers = resource.properties.Layers;
    if (Array.isArray(layers)) {
      layers.forEach((layer, i) => {
        const [arn] = findArns(renderText(layer, resource.template));
        if (!arn) return; // a layer of this stack (a Ref)
        const own = arn.account === MARKER.account || (resource.env.account !== undefined && arn.account === resource.env.account);
        if (!own && !ALLOWED_LAYER_ACCOUNTS.includes(arn.account)) {
          hits.push({ path: ['Layers', i], message: `third-party layer from account ${arn.account}: ${show(arn.arn)}` });
        }
      });
    }
    return hits;
  },
};

import { classifyUrl, declaredHostOf, lowerHost, TELEMETRY_HOSTS } from '../egress';
import { findArns, MARKER, renderText, show } from '../intrinsics';
import { ALLOWED } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { isRecord } from '../template';

/**
 * Accounts whose layers may run in a function besides this stack's own: AWS-published layers that run in the
 * function's region (Powertools for AWS Lambda, CloudWatch Lambda Insights).
 */
export const ALLOWED_LAYER_ACCOUNTS: readonly string[] = ['094274105915', '580247275435'];

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/([^/\s:?#"',]+)/gi;

/** Variable names that say their value is a place to call (`API_HOST`, `WEBHOOK_ENDPOINT`, `COLLECTOR_URL`). */
const ENDPOINT_VARIABLE = /(URL|URI|ENDPOINT|HOST|HOSTNAME|WEBHOOK|DSN)$/i;

/** A bare host name (`api.partner.example.org`), as such variables often hold without a scheme. */
const BARE_HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}(:\d+)?$/i;

/**
 * A function's configuration names only declared egress: URLs in its environment point at a declared host (the
 * settings' `egressHosts`, the NHS login issuers by default), loopback, AWS in the allowed region(s) or the service's
 * own host (that of its self-URL variables, its callback URL by default); no telemetry SaaS endpoints; layers come
 * from this account or from AWS.
 */
export const LambdaEgress: ResourceRule = {
  id: 'UkResidency-LambdaEgress',
  scope: 'resource',
  info: `Lambda environment URLs must be declared egress (the NHS login issuer), loopback, AWS ${ALLOWED} or the service's own host; no telemetry SaaS; layers from this account or AWS only.`,
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
      const selfUrlVariables = resource.settings.selfUrlVariables;
      const declaredHost = declaredHostOf(resource);
      const ownHosts = new Set(
        selfUrlVariables.flatMap((name) =>
          env[name] === undefined ? [] : [...renderText(env[name], resource.template).matchAll(URL_IN_TEXT)].map((m) => lowerHost(m[1]) ?? ''),
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
        if (selfUrlVariables.includes(name)) continue;
        // A host without a scheme in a variable named for an endpoint is called over https.
        const urls = ENDPOINT_VARIABLE.test(name) && BARE_HOST.test(text.trim()) ? [`https://${text.trim()}`] : [text];
        for (const m of urls.flatMap((u) => [...u.matchAll(URL_IN_TEXT)])) {
          const host = lowerHost(m[1]) ?? '';
          if (ownHosts.has(host)) continue;
          const verdict = classifyUrl(m[0], resource.settings, declaredHost);
          if (['aws-in-region', 'loopback', 'private', 'declared', 'plain-http'].includes(verdict.kind)) continue;
          const region = verdict.kind === 'aws-elsewhere' ? verdict.region : undefined;
          hits.push({
            path,
            message: `points the function at ${host}, which is not declared egress (NHS login issuer, loopback, AWS ${ALLOWED})`,
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

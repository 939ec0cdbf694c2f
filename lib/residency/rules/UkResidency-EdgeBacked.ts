import { isRecord } from '../template';
import { ALLOWED } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';

/** Types that are served through CloudFront by design, whatever their properties, with the reason. */
const EDGE_TYPES: Readonly<Record<string, string>> = {
  'AWS::AppSync::DomainName': 'an AppSync custom domain is CloudFront-backed and needs a certificate in us-east-1',
  'AWS::Lightsail::Distribution': 'a Lightsail distribution is a CloudFront distribution',
  'AWS::Amplify::App': 'Amplify Hosting serves the app from CloudFront edge locations',
  'AWS::Amplify::Branch': 'Amplify Hosting serves the branch from CloudFront edge locations',
  'AWS::Amplify::Domain': 'an Amplify Hosting domain is served from CloudFront edge locations',
};

/** Prefixes of types whose service is global by design. */
const GLOBAL_PREFIXES: Readonly<Record<string, string>> = {
  'AWS::Shield::':
    "Shield Advanced is a global service: every region's API endpoint is shield.us-east-1.amazonaws.com, where its protections, emergency contacts and response-team access are kept",
};

/**
 * Features of other services that are CloudFront (or global WAF) underneath: AppSync custom domains, Cognito custom
 * domains for managed login, Lightsail distributions, Amplify Hosting and WAF Classic's global (non-regional)
 * resources. Like CloudFront itself (`UkResidency-CloudFront`) they decrypt requests at edge locations worldwide.
 */
export const EdgeBacked: ResourceRule = {
  id: 'UkResidency-EdgeBacked',
  scope: 'resource',
  info: 'No AppSync custom domains, Cognito custom domains, Lightsail distributions, Amplify Hosting, global WAF Classic resources or Shield Advanced resources.',
  explanation:
    'These are served through CloudFront: a Cognito custom domain needs an ACM certificate in US East (N. Virginia) and ' +
    'is the target of a CloudFront distribution (Amazon Cognito API Reference, UpdateUserPoolDomain and ' +
    'CreateUserPoolDomain: https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserPoolDomain.html), ' +
    'an AppSync custom domain needs its certificate in us-east-1 because the domain is CloudFront-backed ' +
    '(https://docs.aws.amazon.com/appsync/latest/devguide/custom-domain-name.html), and WAF Classic resources outside ' +
    'WAFRegional protect CloudFront. Requests (sign-in pages, tokens, API calls) are decrypted at edge locations outside ' +
    `${ALLOWED}. Shield Advanced, the edge's DDoS protection, is served from us-east-1 in every region (AWS General ` +
    'Reference, "AWS Shield Advanced endpoints and quotas": https://docs.aws.amazon.com/general/latest/gr/shield.html), ' +
    'so its emergency contacts and the log buckets its response team may read are configured outside the region.',
  check(resource) {
    const hits: RuleHit[] = [];
    const reason = EDGE_TYPES[resource.type];
    if (reason) hits.push({ path: [], message: `${resource.type} is not allowed: ${reason}` });
    for (const [prefix, why] of Object.entries(GLOBAL_PREFIXES)) {
      if (resource.type.startsWith(prefix)) hits.push({ path: [], message: `${resource.type} is not allowed: ${why}` });
    }
    if (resource.type.startsWith('AWS::WAF::')) {
      hits.push({ path: [], message: `${resource.type} is not allowed: WAF Classic's global resources protect CloudFront (use WAFv2 REGIONAL)` });
    }
    if (resource.type === 'AWS::Cognito::UserPoolDomain' && isRecord(resource.properties.CustomDomainConfig)) {
      hits.push({
        path: ['CustomDomainConfig'],
        message: 'a Cognito custom domain is served by CloudFront with a certificate in us-east-1 (use the regional prefix domain)',
      });
    }
    return hits;
  },
};

import { show } from '../intrinsics';
import type { ResourceRule } from '../rule';

const WAF_TYPES = ['AWS::WAFv2::WebACL', 'AWS::WAFv2::IPSet', 'AWS::WAFv2::RegexPatternSet', 'AWS::WAFv2::RuleGroup'];

/** WAFv2 resources are `REGIONAL`: the CLOUDFRONT scope exists only in us-east-1, in front of CloudFront. */
export const WafScope: ResourceRule = {
  id: 'UkResidency-WafScope',
  scope: 'resource',
  info: 'WAFv2 web ACLs, IP sets, regex pattern sets and rule groups must have Scope REGIONAL.',
  explanation:
    'A CLOUDFRONT-scoped WAF lives in us-east-1 and inspects requests at the edge; its logs and sampled requests ' +
    '(with headers and cookies) are kept there. wafv2 is exempt from the Control Tower region-deny.',
  check(resource) {
    if (!WAF_TYPES.includes(resource.type)) return [];
    const scope = resource.properties.Scope;
    return scope === 'REGIONAL' ? [] : [{ path: ['Scope'], message: `scope is ${show(scope)}, not REGIONAL (CLOUDFRONT scope lives in us-east-1)` }];
  },
};

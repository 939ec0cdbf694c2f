import { ALLOWED, findRegionNames, isAllowedRegion } from '../regions';
import type { RuleHit, StackRule } from '../rule';

/**
 * Every stack is deployed to `aws://<12-digit account>/eu-west-2`. An environment-agnostic stack can be deployed to
 * whatever region the deploying credentials name, and a stack pinned elsewhere (the us-east-1 stack that
 * `cloudfront.experimental.EdgeFunction` creates, a certificate stack for CloudFront) puts resources outside the
 * UK by construction.
 */
export const StackEnvironment: StackRule = {
  id: 'UkResidency-StackEnvironment',
  scope: 'stack',
  info: `The stack's environment must be aws://<12-digit account>/${ALLOWED}.`,
  explanation:
    'An environment-agnostic stack deploys to whichever region the credentials at deploy time name, and a stack ' +
    `pinned to another region (such as the us-east-1 stack EdgeFunction creates) puts its resources outside ` +
    `${ALLOWED}. Pin every stack to an explicit account and ${ALLOWED}.`,
  check(stack) {
    const hits: RuleHit[] = [];
    const { account, region } = stack.env;
    if (region === undefined) {
      hits.push({ path: ['region'], message: `environment-agnostic stack (no region): it must be pinned to ${ALLOWED}` });
    } else if (!isAllowedRegion(region, stack.settings)) {
      hits.push({ path: ['region'], message: `stack deployed to ${region}, not ${ALLOWED}`, region });
    }
    if (account === undefined) {
      hits.push({ path: ['account'], message: 'environment-agnostic stack (no account): it must be pinned to a 12-digit account' });
    } else if (!/^\d{12}$/.test(account)) {
      hits.push({ path: ['account'], message: `account "${account}" is not a 12-digit AWS account id` });
    }
    // The roles and bucket cdk deploy uses come from a bootstrap; one in another region deploys from there. When the
    // stack's own region is already wrong they only repeat it.
    if (region === undefined || !isAllowedRegion(region, stack.settings)) return hits;
    for (const [field, value] of Object.entries(stack.deployment ?? {})) {
      for (const r of findRegionNames(value)) {
        if (!isAllowedRegion(r.region, stack.settings))
          hits.push({ path: [field], message: `deployment ${field} names ${r.region}: ${value}`, region: r.region });
      }
    }
    return hits;
  },
};

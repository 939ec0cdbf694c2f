import { isAllowedRegionValue, show } from '../intrinsics';
import { ALLOWED, isForeignRegion } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { select } from '../template';

/**
 * DynamoDB tables replicate only within eu-west-2. `TableV2` always synthesizes `AWS::DynamoDB::GlobalTable`,
 * so the type itself is fine: what matters is that its only replica is in eu-west-2 and it has no witness (a
 * multi-region strong consistency witness stores replication data in another region). The legacy
 * `Table.replicationRegions` custom resource is refused outright.
 */
export const DynamoDbReplication: ResourceRule = {
  id: 'UkResidency-DynamoDbReplication',
  scope: 'resource',
  info: `DynamoDB replicas must all be in ${ALLOWED}, with no witness and no legacy replica custom resource.`,
  explanation:
    'A global table replica, a multi-region consistency witness or a legacy Custom::DynamoDBReplica keeps a full, ' +
    `continuously updated copy of the table (the sessions, with NHS login subjects and claims) outside ${ALLOWED}.`,
  check(resource) {
    const hits: RuleHit[] = [];
    if (resource.type === 'Custom::DynamoDBReplica') {
      const region = resource.properties.Region;
      hits.push({
        path: [],
        message: `legacy table replica custom resource${typeof region === 'string' ? ` to ${region}` : ''}`,
        ...(typeof region === 'string' && isForeignRegion(region, resource.settings) ? { region } : {}),
      });
    }
    if (resource.type !== 'AWS::DynamoDB::GlobalTable') return hits;
    for (const { value, path } of select(resource.properties, 'Replicas.*.Region')) {
      if (isAllowedRegionValue(value, resource.settings)) continue;
      const region = typeof value === 'string' && isForeignRegion(value, resource.settings) ? value : undefined;
      hits.push({ path, message: `global table replica in ${show(value)}`, ...(region ? { region } : {}) });
    }
    for (const { value, path } of select(resource.properties, 'GlobalTableWitnesses')) {
      if (Array.isArray(value) && value.length === 0) continue;
      const regions = select(value, '*.Region')
        .map((w) => show(w.value))
        .join(', ');
      hits.push({ path, message: `global table witness${regions ? ` in ${regions}` : ''} (replication state outside ${ALLOWED})` });
    }
    return hits;
  },
};

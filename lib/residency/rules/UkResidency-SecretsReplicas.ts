import { show } from '../intrinsics';
import { ALLOWED, isForeignRegion } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { select } from '../template';

/** Secrets Manager secrets are not replicated: a replica is a full copy of the secret in another region. */
export const SecretsReplicas: ResourceRule = {
  id: 'UkResidency-SecretsReplicas',
  scope: 'resource',
  info: 'Secrets Manager secrets must have no ReplicaRegions.',
  explanation: `A replica region keeps a synchronised copy of the secret value, encrypted under a key in that region, outside ${ALLOWED}.`,
  check(resource) {
    if (resource.type !== 'AWS::SecretsManager::Secret') return [];
    const hits: RuleHit[] = [];
    const replicas = resource.properties.ReplicaRegions;
    if (replicas === undefined || (Array.isArray(replicas) && replicas.length === 0)) return hits;
    const regions = select(resource.properties, 'ReplicaRegions.*.Region');
    if (regions.length === 0) hits.push({ path: ['ReplicaRegions'], message: `secret replicated (${show(replicas)})` });
    for (const { value, path } of regions) {
      hits.push({
        path,
        message: `secret replicated to ${show(value)}`,
        ...(typeof value === 'string' && isForeignRegion(value, resource.settings) ? { region: value } : {}),
      });
    }
    return hits;
  },
};

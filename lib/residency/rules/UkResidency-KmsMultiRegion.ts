import { ALLOWED } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { isRecord, select, type ValuePath } from '../template';

const REPLICATION_ACTIONS = ['kms:ReplicateKey', 'kms:UpdatePrimaryRegion'];

/** Where policy documents sit, per resource type. */
const POLICY_DOCUMENTS: Readonly<Record<string, readonly string[]>> = {
  'AWS::KMS::Key': ['KeyPolicy'],
  'AWS::IAM::Policy': ['PolicyDocument'],
  'AWS::IAM::ManagedPolicy': ['PolicyDocument'],
  'AWS::IAM::Role': ['Policies.*.PolicyDocument'],
  'AWS::IAM::User': ['Policies.*.PolicyDocument'],
  'AWS::IAM::Group': ['Policies.*.PolicyDocument'],
};

function actionGrants(pattern: string, action: string): boolean {
  // `*` and `kms:*` are left alone: they are in every default key policy, and replication needs a multi-Region key,
  // which this rule refuses anyway. A pattern that singles out replication is a statement of intent.
  if (pattern === '*' || pattern.toLowerCase() === 'kms:*') return false;
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return regex.test(action);
}

/**
 * KMS keys stay single-Region. A multi-Region key or a replica key puts the same key material in another region,
 * where anything encrypted under it (the sessions table, its backups, the logs) can be decrypted.
 */
export const KmsMultiRegion: ResourceRule = {
  id: 'UkResidency-KmsMultiRegion',
  scope: 'resource',
  info: 'KMS keys must be single-Region: no MultiRegion, no replica keys, no permission to replicate a key.',
  explanation:
    'A multi-Region key shares its key material with replicas in other regions, where data encrypted under it ' +
    `can be decrypted; kms:* is exempt from the Control Tower region-deny, so nothing else stops it. Keep every key in ${ALLOWED}.`,
  check(resource) {
    const hits: RuleHit[] = [];
    if (resource.type === 'AWS::KMS::ReplicaKey') hits.push({ path: [], message: 'replica of a multi-Region key' });
    if (resource.type === 'AWS::KMS::Key') {
      const multi = resource.properties.MultiRegion;
      if (multi === true || multi === 'true') hits.push({ path: ['MultiRegion'], message: 'multi-Region key (key material shared with other regions)' });
    }
    for (const pattern of POLICY_DOCUMENTS[resource.type] ?? []) {
      for (const doc of select(resource.properties, pattern)) {
        for (const statement of select(doc.value, 'Statement.*')) {
          if (!isRecord(statement.value) || statement.value.Effect !== 'Allow') continue;
          const actions = statement.value.Action;
          const list = Array.isArray(actions) ? actions : [actions];
          list.forEach((a, i) => {
            if (typeof a !== 'string') return;
            const granted = REPLICATION_ACTIONS.filter((r) => actionGrants(a, r));
            if (granted.length === 0) return;
            const path: ValuePath = [...doc.path, ...statement.path, 'Action', ...(Array.isArray(actions) ? [i] : [])];
            hits.push({ path, message: `policy allows ${granted.join(' and ')} (${a})` });
          });
        }
      }
    }
    return hits;
  },
};

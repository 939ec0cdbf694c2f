import { MARKER, findArns, isSameRegionImport, localReference, regionOfDestination, renderText } from '../intrinsics';
import { ALLOWED } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { select } from '../template';

/**
 * Backup copy actions stay in eu-west-2 and in the same account. AWS Backup copies recovery points after the
 * backup, from eu-west-2, so a region-deny SCP never sees the destination.
 */
export const BackupCopies: ResourceRule = {
  id: 'UkResidency-BackupCopies',
  scope: 'resource',
  info: `Backup copy actions must target a vault in ${ALLOWED} and in this account.`,
  explanation:
    'A copy action in a backup plan sends every recovery point of the sessions table to the destination vault; ' +
    `a vault in another region (or another account, whose own policies this template cannot see) takes the data out of ${ALLOWED}.`,
  check(resource) {
    if (resource.type !== 'AWS::Backup::BackupPlan') return [];
    const hits: RuleHit[] = [];
    const plan = resource.properties.BackupPlan;
    for (const { value, path } of select(plan, 'BackupPlanRule.*.CopyActions.*.DestinationBackupVaultArn')) {
      const fullPath = ['BackupPlan', ...path];
      const verdict = regionOfDestination(value, resource.template, resource.settings);
      if (verdict.kind === 'foreign') {
        hits.push({ path: fullPath, region: verdict.region, message: `backup copy to a vault in ${verdict.region}` });
        continue;
      }
      if (verdict.kind === 'unproven') {
        hits.push({ path: fullPath, message: `backup copy to ${verdict.how}` });
        continue;
      }
      if (localReference(value, resource.template) || isSameRegionImport(value, resource.settings)) continue;
      const [arn] = findArns(renderText(value, resource.template));
      const account = arn?.account;
      const sameAccount = account === MARKER.account || (resource.env.account !== undefined && account === resource.env.account);
      if (!sameAccount) hits.push({ path: fullPath, message: `backup copy to another account (${account ?? 'unknown'})` });
    }
    return hits;
  },
};

import { isAllowedRegionValue, localReference, show } from '../intrinsics';
import { ALLOWED } from '../regions';
import type { ResourceRule } from '../rule';
import { DEFAULT_RESIDENCY_SETTINGS, type ResidencySettings } from '../settings';
import { isRecord, select, type CfnTemplate } from '../template';

function refersTo(list: unknown, logicalId: string): boolean {
  return Array.isArray(list) && list.some((v) => isRecord(v) && v.Ref === logicalId);
}

/** Every policy document that applies to role `roleId` within the template. */
function policiesOfRole(roleId: string, template: CfnTemplate): unknown[] {
  const resources = template.Resources ?? {};
  const role = resources[roleId];
  const docs: unknown[] = select(role?.Properties, 'Policies.*.PolicyDocument').map((d) => d.value);
  const managed = new Set(
    select(role?.Properties, 'ManagedPolicyArns.*')
      .map((m) => localReference(m.value, template))
      .filter((id): id is string => id !== undefined),
  );
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::IAM::Policy' && refersTo(p.Roles, roleId)) docs.push(p.PolicyDocument);
    if (r.Type === 'AWS::IAM::ManagedPolicy' && (refersTo(p.Roles, roleId) || managed.has(id))) docs.push(p.PolicyDocument);
    if (r.Type === 'AWS::IAM::RolePolicy' && isRecord(p.RoleName) && p.RoleName.Ref === roleId) docs.push(p.PolicyDocument);
  }
  return docs;
}

/**
 * True for a Deny of every action (or of everything but some), on every resource, whose request region is not
 * exactly eu-west-2 (or `${AWS::Region}`, which `UkResidency-StackEnvironment` pins to it).
 */
export function isRegionDenyStatement(statement: unknown, settings: ResidencySettings = DEFAULT_RESIDENCY_SETTINGS): boolean {
  if (!isRecord(statement) || statement.Effect !== 'Deny') return false;
  const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
  if (!(actions.includes('*') || statement.NotAction !== undefined)) return false;
  const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
  if (!resources.includes('*')) return false;
  if (!isRecord(statement.Condition)) return false;
  return Object.entries(statement.Condition).some(([operator, body]) => {
    if (!/^StringNot(Equals|EqualsIgnoreCase|Like)$/.test(operator) || !isRecord(body)) return false;
    return Object.entries(body).some(([key, value]) => {
      const values = Array.isArray(value) ? value : [value];
      return /^aws:RequestedRegion$/i.test(key) && values.length > 0 && values.every((v) => isAllowedRegionValue(v, settings));
    });
  });
}

/**
 * Defence in depth: every Lambda execution role carries an explicit Deny on requests whose `aws:RequestedRegion`
 * is not eu-west-2, so even code that is told (or tricked) to call another region's endpoint is refused by IAM.
 */
export const LambdaRegionDeny: ResourceRule = {
  id: 'UkResidency-LambdaRegionDeny',
  scope: 'resource',
  info: `Every Lambda function's execution role (defined in the same stack) must Deny requests whose aws:RequestedRegion is not ${ALLOWED}.`,
  explanation:
    'The templates show where resources are, not where code sends requests at run time. An explicit Deny on ' +
    `aws:RequestedRegion other than ${ALLOWED} in every execution role stops a function from writing to or ` +
    'reading from another region whatever its code or configuration says; an SCP is the account-wide backstop.',
  check(resource) {
    if (resource.type !== 'AWS::Lambda::Function') return [];
    const roleId = localReference(resource.properties.Role, resource.template);
    if (!roleId || resource.template.Resources?.[roleId]?.Type !== 'AWS::IAM::Role') {
      return [
        { path: ['Role'], message: `execution role ${show(resource.properties.Role)} is not defined in this stack, so its region Deny cannot be verified` },
      ];
    }
    const statements = policiesOfRole(roleId, resource.template).flatMap((doc) => select(doc, 'Statement.*').map((s) => s.value));
    return statements.some((s) => isRegionDenyStatement(s, resource.settings))
      ? []
      : [{ path: ['Role'], message: `execution role ${roleId} has no Deny on aws:RequestedRegion other than ${ALLOWED}` }];
  },
};

import type { ResidencySettings } from './settings';
import type { ResourceView, StackEnvironment, ValuePath } from './template';

/** Identity of a rule: what cdk-nag calls the rule id, info and explanation. */
export interface RuleInfo {
  /** `UkResidency-<Name>`: also the rule's file name under `lib/residency/rules/`. */
  readonly id: string;
  /** One line: what the rule requires (`ALLOWED` stands for the allowed region(s); see `fillAllowed`). */
  readonly info: string;
  /** The leak the rule stops, for a reviewer, citing the AWS documentation where a service's design is the reason. */
  readonly explanation: string;
}

/** One thing a rule found wrong, relative to what it was given. */
export interface RuleHit {
  /** Where: a path inside the resource's `Properties` (or the stack / asset entry). Empty for the whole resource. */
  readonly path: ValuePath;
  /** What is wrong, naming the region found when there is one. */
  readonly message: string;
  /** The region found, when the finding is about one. */
  readonly region?: string;
}

/** A rule over one resource in template form. Pure: same view, same hits. */
export interface ResourceRule extends RuleInfo {
  readonly scope: 'resource';
  /**
   * Generic rules (region names, ARN regions) look at every string. When a specific rule already reported the same
   * path of the same resource, the generic finding adds nothing and is dropped.
   */
  readonly generic?: boolean;
  check(resource: ResourceView): RuleHit[];
}

/** What a stack rule sees: the stack's name and its environment as declared. */
export interface StackView {
  /** Stack name (or artifact id) as shown to a developer. */
  readonly name: string;
  /** Account and region; `undefined` fields mean environment-agnostic. */
  readonly env: StackEnvironment;
  /**
   * Deployment settings of the stack artifact that name AWS places (`assumeRoleArn`,
   * `stackTemplateAssetObjectUrl`...), by field name; known only from a cloud assembly's `manifest.json`.
   */
  readonly deployment?: Readonly<Record<string, string>>;
  /** What the rules are held to. */
  readonly settings: ResidencySettings;
}

/** A rule over one stack's environment. */
export interface StackRule extends RuleInfo {
  readonly scope: 'stack';
  check(stack: StackView): RuleHit[];
}

/** One publishing destination of an asset manifest (`*.assets.json`). */
export interface AssetDestinationView {
  /** `files.<asset id>.destinations.<destination id>` or the docker equivalent. */
  readonly path: ValuePath;
  readonly region?: string;
  /** The destination's other string fields (bucket or repository name, role ARNs, object key). */
  readonly fields: Readonly<Record<string, string>>;
}

/** A rule over the destinations of one asset manifest. */
export interface AssetRule extends RuleInfo {
  readonly scope: 'assets';
  check(destinations: readonly AssetDestinationView[], settings: ResidencySettings): RuleHit[];
}

/** Any residency rule. */
export type ResidencyRule = ResourceRule | StackRule | AssetRule;

/**
 * A resource rule that refuses a set of resource types outright: used where a type cannot exist in a
 * residency-bound stack whatever its properties (global data stores, edge services, cross-region plumbing).
 */
export function denyTypes(info: RuleInfo, types: Readonly<Record<string, string>>, prefixes: Readonly<Record<string, string>> = {}): ResourceRule {
  return {
    ...info,
    scope: 'resource',
    check(resource) {
      const reason = types[resource.type] ?? Object.entries(prefixes).find(([prefix]) => resource.type.startsWith(prefix))?.[1];
      return reason ? [{ path: [], message: `${resource.type} is not allowed: ${reason}` }] : [];
    },
  };
}

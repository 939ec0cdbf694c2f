import type { AssetDestinationView, ResidencyRule, ResourceRule, RuleHit, StackView } from './rule';
import { ASSET_RULES, RESOURCE_RULES, STACK_RULES } from './rules';
import { readable } from './intrinsics';
import { formatPath, isRecord, type CfnTemplate, type ResourceView, type StackEnvironment, type ValuePath } from './template';

/** One residency finding, wherever it was found. */
export interface ResidencyFinding {
  /** The rule that found it, e.g. `UkResidency-DynamoDbReplication`. */
  readonly ruleId: string;
  /** The file or stack it was found in (`Stateful.template.json`, `manifest.json`, `Stateful.assets.json`). */
  readonly source: string;
  /** Logical id of the resource (or output, parameter...), the stack name, or the asset destination. */
  readonly logicalId: string;
  /** CloudFormation type, or `Stack`, `Output`, `Parameter`, `Mapping`, `Condition`, `Asset`. */
  readonly type: string;
  /** Where inside it, e.g. `Properties.Replicas[1].Region`. */
  readonly path: string;
  /** What is wrong, naming the region found when there is one. */
  readonly message: string;
  /** The region found, when there is one. */
  readonly region?: string;
}

/** A rule's hit paired with the rule. */
export interface RuleResult {
  readonly rule: ResidencyRule;
  readonly hit: RuleHit;
}

function startsWith(path: ValuePath, prefix: ValuePath): boolean {
  return prefix.length <= path.length && prefix.every((seg, i) => path[i] === seg);
}

function guarded<T>(run: () => T[], onError: (message: string) => T): T[] {
  try {
    return run();
  } catch (e) {
    // A rule that cannot read what it is given fails closed: an unreadable template is not a passing one.
    return [onError(`rule could not evaluate this (${(e as Error).message})`)];
  }
}

/**
 * Runs resource rules over one resource. Generic rules' hits at (or under) a path a specific rule already reported
 * are dropped: the specific rule says the same thing with a better explanation.
 */
export function evaluateResource(view: ResourceView, rules: readonly ResourceRule[] = RESOURCE_RULES): RuleResult[] {
  const specific: RuleResult[] = [];
  const generic: RuleResult[] = [];
  for (const rule of rules) {
    const hits = guarded(
      () => rule.check(view),
      (message): RuleHit => ({ path: [], message }),
    );
    for (const hit of hits) (rule.generic ? generic : specific).push({ rule, hit });
  }
  const kept = generic.filter((g) => !specific.some((s) => startsWith(g.hit.path, s.hit.path)));
  return [...specific, ...kept];
}

/** Runs stack rules over one stack. */
export function evaluateStack(stack: StackView): RuleResult[] {
  return STACK_RULES.flatMap((rule) =>
    guarded(
      () => rule.check(stack),
      (message): RuleHit => ({ path: [], message }),
    ).map((hit) => ({ rule, hit })),
  );
}

/** Runs asset rules over the destinations of one asset manifest. */
export function evaluateAssets(destinations: readonly AssetDestinationView[]): RuleResult[] {
  return ASSET_RULES.flatMap((rule) =>
    guarded(
      () => rule.check(destinations),
      (message): RuleHit => ({ path: [], message }),
    ).map((hit) => ({ rule, hit })),
  );
}

/** Template sections other than `Resources` that generic rules walk, with the type label findings print. */
const OTHER_SECTIONS: readonly (readonly [string, string])[] = [
  ['Outputs', 'Output'],
  ['Parameters', 'Parameter'],
  ['Mappings', 'Mapping'],
  ['Conditions', 'Condition'],
];

/**
 * Runs every resource rule over every resource of a template, and the generic rules over its outputs,
 * parameters, mappings and conditions.
 */
export function evaluateTemplate(template: CfnTemplate, env: StackEnvironment, source: string): ResidencyFinding[] {
  const findings: ResidencyFinding[] = [];
  for (const [logicalId, entry] of Object.entries(template.Resources ?? {})) {
    if (!isRecord(entry) || typeof entry.Type !== 'string') continue;
    const view: ResourceView = { logicalId, type: entry.Type, properties: isRecord(entry.Properties) ? entry.Properties : {}, template, env };
    for (const { rule, hit } of evaluateResource(view)) {
      findings.push(toFinding(rule.id, source, logicalId, entry.Type, resourcePath(hit.path), hit));
    }
  }
  const generic = RESOURCE_RULES.filter((r) => r.generic);
  for (const [section, label] of OTHER_SECTIONS) {
    const entries = template[section];
    if (!isRecord(entries)) continue;
    for (const [name, body] of Object.entries(entries)) {
      const view: ResourceView = { logicalId: name, type: label, properties: isRecord(body) ? body : { Value: body }, template, env };
      for (const { rule, hit } of evaluateResource(view, generic)) {
        findings.push(toFinding(rule.id, source, name, label, [section, name, ...hit.path], hit));
      }
    }
  }
  return findings;
}

/** Where a hit on a resource points: its `Type` when the resource as a whole is refused, else a property. */
export function resourcePath(path: ValuePath): ValuePath {
  return path.length === 0 ? ['Type'] : ['Properties', ...path];
}

/** Builds a finding from a rule hit. */
export function toFinding(ruleId: string, source: string, logicalId: string, type: string, path: ValuePath, hit: RuleHit): ResidencyFinding {
  return {
    ruleId,
    source,
    logicalId,
    type,
    path: formatPath(path) || '(whole)',
    message: readable(hit.message),
    ...(hit.region ? { region: hit.region } : {}),
  };
}

/** One line per finding, as the command prints it: `<source> <logical id> <type> <path>: <message> [rule]`. */
export function formatFinding(f: ResidencyFinding): string {
  return `${f.source} ${f.logicalId} ${f.type} ${f.path}: ${f.message} [${f.ruleId}]`;
}

import { propertyVariants } from './conditions';
import type { AssetDestinationView, ResidencyRule, ResourceRule, RuleHit, StackView } from './rule';
import { ASSET_RULES, RESOURCE_RULES, STACK_RULES } from './rules';
import { readable } from './intrinsics';
import { fillAllowed } from './regions';
import { DEFAULT_RESIDENCY_SETTINGS, type ResidencySettings } from './settings';
import { formatPath, isRecord, type CfnResourceEntry, type CfnTemplate, type ResourceView, type StackEnvironment, type ValuePath } from './template';

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
  /** The stack the template belongs to (its display name), when known. */
  readonly stack?: string;
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

/**
 * Metadata keys whose content CloudFormation acts on: `cfn-init` writes the files, runs the commands and starts the
 * services of `AWS::CloudFormation::Init` (agent configurations among them) on the instance. Other metadata
 * (`aws:cdk:path`, declarations, tool settings) is not configuration of the resource and is not read.
 */
export const ACTED_ON_METADATA: readonly string[] = ['AWS::CloudFormation::Init', 'AWS::CloudFormation::Authentication'];

/** A rule's hit on a template entry, with its path from the entry (`Properties...`, `Metadata...`). */
export interface EntryResult extends RuleResult {
  readonly path: ValuePath;
}

/**
 * Runs the resource rules over one resource of a template: over every variant of its properties a deployment can
 * produce (`propertyVariants`: each reachable branch, parameter defaults as values), and the generic rules over the
 * metadata `cfn-init` acts on. The same finding in several variants is reported once.
 */
export function evaluateEntry(
  logicalId: string,
  entry: CfnResourceEntry,
  template: CfnTemplate,
  env: StackEnvironment,
  settings: ResidencySettings = DEFAULT_RESIDENCY_SETTINGS,
): EntryResult[] {
  const out: EntryResult[] = [];
  const seen = new Set<string>();
  const add = (rule: ResidencyRule, hit: RuleHit, path: ValuePath) => {
    const key = `${rule.id}|${formatPath(path)}|${hit.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ rule, hit, path });
  };
  const properties = isRecord(entry.Properties) ? entry.Properties : {};
  for (const variant of propertyVariants(properties, entry.Condition, template, settings)) {
    const view: ResourceView = { logicalId, type: entry.Type, properties: variant, template, env, settings };
    for (const { rule, hit } of evaluateResource(view)) add(rule, hit, resourcePath(hit.path));
  }
  const acted = Object.fromEntries(ACTED_ON_METADATA.filter((k) => entry.Metadata?.[k] !== undefined).map((k) => [k, entry.Metadata?.[k]]));
  if (Object.keys(acted).length > 0) {
    const generic = RESOURCE_RULES.filter((r) => r.generic);
    for (const variant of propertyVariants(acted, undefined, template, settings)) {
      const view: ResourceView = { logicalId, type: entry.Type, properties: variant, template, env, settings };
      for (const { rule, hit } of evaluateResource(view, generic)) add(rule, hit, ['Metadata', ...hit.path]);
    }
  }
  return out;
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
export function evaluateAssets(destinations: readonly AssetDestinationView[], settings: ResidencySettings = DEFAULT_RESIDENCY_SETTINGS): RuleResult[] {
  return ASSET_RULES.flatMap((rule) =>
    guarded(
      () => rule.check(destinations, settings),
      (message): RuleHit => ({ path: [], message }),
    ).map((hit) => ({ rule, hit })),
  );
}

/**
 * Template sections other than `Resources` that generic rules walk, with the type label findings print. Conditions
 * and mappings are not among them: a condition only chooses between branches, and a mapping entry only matters
 * where `Fn::FindInMap` reaches it, so both are read through the values they give (see `propertyVariants`).
 */
const OTHER_SECTIONS: readonly (readonly [string, string])[] = [
  ['Outputs', 'Output'],
  ['Parameters', 'Parameter'],
];

/**
 * Runs every resource rule over every resource of a template (every variant of it), and the generic rules over its
 * outputs and parameters.
 */
export function evaluateTemplate(
  template: CfnTemplate,
  env: StackEnvironment,
  source: string,
  settings: ResidencySettings = DEFAULT_RESIDENCY_SETTINGS,
  stack?: string,
): ResidencyFinding[] {
  const findings: ResidencyFinding[] = [];
  for (const [logicalId, entry] of Object.entries(template.Resources ?? {})) {
    if (!isRecord(entry) || typeof entry.Type !== 'string') continue;
    for (const { rule, hit, path } of evaluateEntry(logicalId, entry, template, env, settings)) {
      findings.push(toFinding(rule.id, source, logicalId, entry.Type, path, hit, settings, stack));
    }
  }
  const generic = RESOURCE_RULES.filter((r) => r.generic);
  for (const [section, label] of OTHER_SECTIONS) {
    const entries = template[section];
    if (!isRecord(entries)) continue;
    for (const [name, body] of Object.entries(entries)) {
      const seen = new Set<string>();
      const base = isRecord(body) ? body : { Value: body };
      for (const variant of section === 'Outputs' ? propertyVariants(base, base.Condition, template, settings) : [base]) {
        const view: ResourceView = { logicalId: name, type: label, properties: variant, template, env, settings };
        for (const { rule, hit } of evaluateResource(view, generic)) {
          const finding = toFinding(rule.id, source, name, label, [section, name, ...hit.path], hit, settings, stack);
          const key = `${finding.ruleId}|${finding.path}|${finding.message}`;
          if (!seen.has(key)) findings.push(finding);
          seen.add(key);
        }
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
export function toFinding(
  ruleId: string,
  source: string,
  logicalId: string,
  type: string,
  path: ValuePath,
  hit: RuleHit,
  settings: ResidencySettings = DEFAULT_RESIDENCY_SETTINGS,
  stack?: string,
): ResidencyFinding {
  return {
    ruleId,
    source,
    logicalId,
    type,
    path: formatPath(path) || '(whole)',
    message: fillAllowed(readable(hit.message), settings),
    ...(hit.region ? { region: hit.region } : {}),
    ...(stack ? { stack } : {}),
  };
}

/** One line per finding, as the command prints it: `<source> <logical id> <type> <path>: <message> [rule]`. */
export function formatFinding(f: ResidencyFinding): string {
  return `${f.source} ${f.logicalId} ${f.type} ${f.path}: ${f.message} [${f.ruleId}]`;
}

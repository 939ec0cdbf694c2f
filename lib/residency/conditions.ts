/**
 * A template can hide a setting behind a condition (`Fn::If` over a `Conditions` entry), a parameter (whose default
 * is what a deployment gets unless told otherwise) or a mapping (`Fn::FindInMap`). The rules read plain values, so
 * each resource is expanded into the variants a deployment can produce: every reachable branch of every `Fn::If`,
 * every value a parameter can take (its allowed values, else its default and any other value), every mapping entry
 * a lookup can reach. A leak in any variant is a leak.
 */
import type { ResidencySettings } from './settings';
import { isRecord, type CfnTemplate } from './template';

/** A parameter left to the deployer: any value, so nothing can be said of it (the property keeps its `Ref`). */
const ANY = Symbol('any value');
/** A removed value (`AWS::NoValue`, or the branch of an `Fn::If` that has none). */
const NO_VALUE = Symbol('no value');

type Choice = unknown | typeof ANY;
type Assignment = ReadonlyMap<string, Choice>;

/** At most this many variants per resource; past it each choice is still taken once (the others at their first). */
const MAX_VARIANTS = 64;

interface Parameter {
  readonly values: readonly Choice[];
}

/** What each parameter can be: its AllowedValues, else its Default and any other value, else any value. */
function parameterChoices(template: CfnTemplate, name: string, settings: ResidencySettings): Parameter | undefined {
  if (name === 'AWS::Region') return { values: settings.allowedRegions };
  const p = template.Parameters?.[name];
  if (!isRecord(p)) return undefined;
  // An SSM parameter type's Default is the name of the SSM parameter, not its value.
  if (typeof p.Type === 'string' && p.Type.startsWith('AWS::SSM::Parameter::Value')) return { values: [ANY] };
  if (Array.isArray(p.AllowedValues) && p.AllowedValues.length > 0) return { values: p.AllowedValues };
  return p.Default !== undefined ? { values: [p.Default, ANY] } : { values: [ANY] };
}

function singleKey(value: Record<string, unknown>): string | undefined {
  const keys = Object.keys(value);
  return keys.length === 1 ? keys[0] : undefined;
}

/** Names an `Fn::Sub` body refers to with `${Name}` that its own variable map does not define. */
function subNames(args: unknown): string[] {
  const body = Array.isArray(args) ? args[0] : args;
  const variables = Array.isArray(args) && isRecord(args[1]) ? args[1] : {};
  if (typeof body !== 'string') return [];
  return [...body.matchAll(/\$\{([^}!.]+)\}/g)].map((m) => m[1] as string).filter((n) => variables[n] === undefined);
}

/** Parameters a value refers to with `Ref` or `${Name}` (through `Condition` references of conditions too). */
function referencedParameters(value: unknown, template: CfnTemplate, out: Set<string>, seen = new Set<string>()): void {
  if (Array.isArray(value)) for (const v of value) referencedParameters(v, template, out, seen);
  else if (isRecord(value)) {
    const key = singleKey(value);
    if (key === 'Ref' && typeof value.Ref === 'string' && (template.Parameters?.[value.Ref] !== undefined || value.Ref === 'AWS::Region')) out.add(value.Ref);
    if (key === 'Fn::Sub') for (const name of subNames(value['Fn::Sub'])) if (template.Parameters?.[name] !== undefined) out.add(name);
    const condition = key === 'Condition' ? value.Condition : key === 'Fn::If' && Array.isArray(value['Fn::If']) ? value['Fn::If'][0] : undefined;
    if (typeof condition === 'string' && !seen.has(condition)) {
      seen.add(condition);
      referencedParameters(template.Conditions?.[condition], template, out, seen);
    }
    for (const v of Object.values(value)) referencedParameters(v, template, out, seen);
  }
}

/** True when a value holds anything a deployment decides: `Fn::If`, a parameter `Ref`, `Fn::FindInMap`. */
function hasChoices(value: unknown, template: CfnTemplate): boolean {
  if (Array.isArray(value)) return value.some((v) => hasChoices(v, template));
  if (!isRecord(value)) return false;
  const key = singleKey(value);
  if (key === 'Fn::If' || key === 'Fn::FindInMap') return true;
  if (key === 'Ref' && typeof value.Ref === 'string' && template.Parameters?.[value.Ref] !== undefined) return true;
  if (key === 'Fn::Sub' && subNames(value['Fn::Sub']).some((n) => template.Parameters?.[n] !== undefined)) return true;
  return Object.values(value).some((v) => hasChoices(v, template));
}

/** A value with parameters put in, or `ANY` when it depends on one left to the deployer. */
function resolveScalar(value: unknown, assignment: Assignment, template: CfnTemplate): Choice {
  if (isRecord(value) && singleKey(value) === 'Ref' && typeof value.Ref === 'string') {
    return assignment.has(value.Ref) ? (assignment.get(value.Ref) as Choice) : ANY;
  }
  if (isRecord(value) && singleKey(value) === 'Fn::FindInMap') {
    const found = lookup(value['Fn::FindInMap'], assignment, template);
    return found.length === 1 ? found[0] : ANY;
  }
  return typeof value === 'object' && value !== null ? ANY : value;
}

/** The value of a condition under an assignment: true, false, or undefined when the deployer decides it. */
function evaluateCondition(expr: unknown, assignment: Assignment, template: CfnTemplate, depth = 0): boolean | undefined {
  if (depth > 20) return undefined;
  if (typeof expr === 'boolean') return expr;
  if (!isRecord(expr)) return undefined;
  const key = singleKey(expr);
  const args = key ? expr[key] : undefined;
  const list = Array.isArray(args) ? args : [];
  switch (key) {
    case 'Condition':
      return typeof args === 'string' ? evaluateCondition(template.Conditions?.[args], assignment, template, depth + 1) : undefined;
    case 'Fn::Equals': {
      const [a, b] = list.map((v) => resolveScalar(v, assignment, template));
      return a === ANY || b === ANY ? undefined : String(a) === String(b);
    }
    case 'Fn::Not': {
      const v = evaluateCondition(list[0], assignment, template, depth + 1);
      return v === undefined ? undefined : !v;
    }
    case 'Fn::And': {
      const vs = list.map((v) => evaluateCondition(v, assignment, template, depth + 1));
      return vs.includes(false) ? false : vs.includes(undefined) ? undefined : true;
    }
    case 'Fn::Or': {
      const vs = list.map((v) => evaluateCondition(v, assignment, template, depth + 1));
      return vs.includes(true) ? true : vs.includes(undefined) ? undefined : false;
    }
    default:
      return undefined;
  }
}

/** The values an `Fn::FindInMap` can give: every entry its keys can reach (all of a level whose key is not known). */
function lookup(args: unknown, assignment: Assignment, template: CfnTemplate): unknown[] {
  if (!Array.isArray(args)) return [];
  const [map, top, second, options] = args as unknown[];
  const level = (container: unknown, key: unknown): unknown[] => {
    if (!isRecord(container)) return [];
    const k = resolveScalar(key, assignment, template);
    if (k === ANY) return Object.values(container);
    return container[String(k)] !== undefined ? [container[String(k)]] : [];
  };
  const mapping = typeof map === 'string' ? template.Mappings?.[map] : undefined;
  const found = level(mapping, top).flatMap((entry) => level(entry, second));
  if (found.length === 0 && isRecord(options) && options.DefaultValue !== undefined) return [options.DefaultValue];
  return found;
}

/** Where a value offers a choice, keyed so that the same choice is made the same way throughout a resource. */
function collectChoices(value: unknown, assignment: Assignment, template: CfnTemplate, out: Map<string, Choice[]>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectChoices(v, assignment, template, out);
    return;
  }
  if (!isRecord(value)) return;
  const key = singleKey(value);
  if (key === 'Fn::If' && Array.isArray(value['Fn::If'])) {
    const [condition, yes, no] = value['Fn::If'] as unknown[];
    const known = evaluateCondition({ Condition: condition }, assignment, template);
    if (known === undefined) out.set(`if:${String(condition)}`, [true, false]);
    if (known !== false) collectChoices(yes, assignment, template, out);
    if (known !== true) collectChoices(no, assignment, template, out);
    return;
  }
  if (key === 'Fn::FindInMap') {
    const found = lookup(value['Fn::FindInMap'], assignment, template);
    if (found.length > 1) out.set(`map:${JSON.stringify(value)}`, found);
    for (const f of found) collectChoices(f, assignment, template, out);
    return;
  }
  for (const v of Object.values(value)) collectChoices(v, assignment, template, out);
}

/** The value with every choice made as `assignment` says. */
function apply(value: unknown, assignment: Assignment, template: CfnTemplate): unknown {
  if (Array.isArray(value)) return value.map((v) => apply(v, assignment, template)).filter((v) => v !== NO_VALUE);
  if (!isRecord(value)) return value;
  const key = singleKey(value);
  if (key === 'Ref' && value.Ref === 'AWS::NoValue') return NO_VALUE;
  if (key === 'Ref' && typeof value.Ref === 'string' && value.Ref !== 'AWS::Region' && assignment.has(value.Ref)) {
    const chosen = assignment.get(value.Ref);
    return chosen === ANY ? value : chosen;
  }
  if (key === 'Fn::If' && Array.isArray(value['Fn::If'])) {
    const [condition, yes, no] = value['Fn::If'] as unknown[];
    const known = evaluateCondition({ Condition: condition }, assignment, template);
    const take = known ?? (assignment.get(`if:${String(condition)}`) as boolean | undefined) ?? true;
    return apply(take ? yes : no, assignment, template);
  }
  if (key === 'Fn::FindInMap') {
    const found = lookup(value['Fn::FindInMap'], assignment, template);
    const chosen = found.length > 1 ? assignment.get(`map:${JSON.stringify(value)}`) : found[0];
    return chosen === undefined ? value : apply(chosen, assignment, template);
  }
  if (key === 'Fn::Sub') {
    // `${Parameter}` in the body takes the parameter's value, as a `Ref` elsewhere does.
    const args = value['Fn::Sub'];
    const body = Array.isArray(args) ? args[0] : args;
    if (typeof body === 'string') {
      const replaced = body.replace(/\$\{([^}!.]+)\}/g, (whole, name: string) => {
        const chosen = subNames(args).includes(name) && name !== 'AWS::Region' ? assignment.get(name) : undefined;
        return chosen === undefined || chosen === ANY || typeof chosen === 'object' ? whole : String(chosen);
      });
      const variables = Array.isArray(args) ? apply(args[1], assignment, template) : undefined;
      return { 'Fn::Sub': variables === undefined ? replaced : [replaced, variables] };
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const applied = apply(v, assignment, template);
    if (applied !== NO_VALUE) out[k] = applied;
  }
  return out;
}

/** Assignments over choices: all combinations when there are few, else each choice taken once. */
function combinations(choices: ReadonlyMap<string, readonly Choice[]>, base: Assignment): Map<string, Choice>[] {
  const entries = [...choices.entries()];
  const total = entries.reduce((n, [, values]) => n * values.length, 1);
  if (total <= MAX_VARIANTS) {
    let out: Map<string, Choice>[] = [new Map(base)];
    for (const [key, values] of entries) out = out.flatMap((a) => values.map((v) => new Map(a).set(key, v)));
    return out;
  }
  const first = new Map(base);
  for (const [key, values] of entries) first.set(key, values[0]);
  const out = [first];
  for (const [key, values] of entries) for (const v of values.slice(1)) out.push(new Map(first).set(key, v));
  return out;
}

/**
 * The variants of a resource's properties a deployment can produce (just the properties when nothing in them is
 * decided at deploy time), and whether the resource exists at all: a resource whose `Condition` is false in every
 * variant is never created.
 */
export function propertyVariants(
  properties: Readonly<Record<string, unknown>>,
  condition: unknown,
  template: CfnTemplate,
  settings: ResidencySettings,
): Readonly<Record<string, unknown>>[] {
  const decides = hasChoices(properties, template) || typeof condition === 'string';
  if (!decides) return [properties];
  const names = new Set<string>();
  referencedParameters(properties, template, names);
  if (typeof condition === 'string') referencedParameters({ Condition: condition }, template, names);
  const parameters = new Map<string, readonly Choice[]>();
  for (const name of names) {
    const choices = parameterChoices(template, name, settings);
    if (choices) parameters.set(name, choices.values);
  }
  const variants: Record<string, unknown>[] = [];
  for (const assignment of combinations(parameters, new Map())) {
    if (typeof condition === 'string' && evaluateCondition({ Condition: condition }, assignment, template) === false) continue;
    const choices = new Map<string, Choice[]>();
    collectChoices(properties, assignment, template, choices);
    for (const full of combinations(choices, assignment)) {
      variants.push(apply(properties, full, template) as Record<string, unknown>);
      if (variants.length >= MAX_VARIANTS * 4) return variants;
    }
  }
  return variants;
}

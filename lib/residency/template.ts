import type { ResidencySettings } from './settings';

/**
 * The shapes the residency rules read: a CloudFormation template as synthesized, one resource of it, and where a
 * value sits inside it. The same shapes are built from a construct tree (the cdk-nag pack) and from template JSON
 * (the scanner), which is what lets one set of rule functions serve both.
 */

/** A CloudFormation template, as far as the rules read it. */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResourceEntry>;
  readonly Outputs?: Record<string, unknown>;
  readonly Parameters?: Record<string, unknown>;
  readonly Mappings?: Record<string, unknown>;
  readonly Conditions?: Record<string, unknown>;
  readonly [section: string]: unknown;
}

/** One entry of a template's `Resources`. */
export interface CfnResourceEntry {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly [attribute: string]: unknown;
}

/** The account and region a stack is deployed to; `undefined` where unknown (environment-agnostic). */
export interface StackEnvironment {
  readonly account?: string;
  readonly region?: string;
}

/** What a resource rule sees: one resource, resolved to template form, with its template and stack environment. */
export interface ResourceView {
  readonly logicalId: string;
  readonly type: string;
  /** The resource's `Properties` in CloudFormation form (intrinsics such as `Ref` and `Fn::Join` left in place). */
  readonly properties: Readonly<Record<string, unknown>>;
  /** The whole template the resource belongs to, so a rule can tell a local reference from an outside one. */
  readonly template: CfnTemplate;
  readonly env: StackEnvironment;
  /** What the rules are held to: allowed regions, declared egress. */
  readonly settings: ResidencySettings;
}

/** A path from a resource's `Properties` (or a template section entry) to a value: keys and array indexes. */
export type ValuePath = readonly (string | number)[];

/** Segment inserted in a path where a JSON-encoded string was parsed and its content walked. */
export const JSON_SEGMENT = '(json)';

/** Segment inserted in a path where a YAML document carried in a string was parsed and its content walked. */
export const YAML_SEGMENT = '(yaml)';

/** Segment inserted in a path where a base64-encoded string was decoded and its text walked. */
export const BASE64_SEGMENT = '(base64)';

const EMBEDDED = new Set([JSON_SEGMENT, YAML_SEGMENT, BASE64_SEGMENT]);

/** Formats a path the way findings print it: `Replicas[1].Region`, `Code.ZipFile`, `Create(json).region`. */
export function formatPath(path: ValuePath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (EMBEDDED.has(seg)) out += seg;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** True for a non-null, non-array object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every value selected by a dotted pattern such as `Rules.*.CopyActions.*.DestinationBackupVaultArn`, where `*`
 * matches each array element (or each value of an object), with the path to it. Missing steps select nothing.
 */
export function select(root: unknown, pattern: string): { value: unknown; path: ValuePath }[] {
  let current: { value: unknown; path: ValuePath }[] = [{ value: root, path: [] }];
  for (const step of pattern.split('.')) {
    const next: { value: unknown; path: ValuePath }[] = [];
    for (const { value, path } of current) {
      if (step === '*') {
        if (Array.isArray(value)) for (const [i, v] of value.entries()) next.push({ value: v, path: [...path, i] });
        else if (isRecord(value)) for (const [k, v] of Object.entries(value)) next.push({ value: v, path: [...path, k] });
      } else if (isRecord(value) && value[step] !== undefined) {
        next.push({ value: value[step], path: [...path, step] });
      }
    }
    current = next;
  }
  return current;
}

import { ALLOWED_REGION, findRegionNames, isForeignRegion } from './regions';
import { isRecord, JSON_SEGMENT, type CfnTemplate, type ValuePath } from './template';

/**
 * Intrinsic functions are rendered into plain text so that region names and ARNs can be found across the pieces
 * of an `Fn::Join` or inside an `Fn::Sub`. Values CloudFormation fills in at deploy time become markers between
 * guillemets. Markers hold no colon, so an ARN's fields still split on `:`, and no region name, so a marker can
 * never be mistaken for one.
 */
export const MARKER = {
  region: '«Region»',
  partition: '«Partition»',
  account: '«AccountId»',
  urlSuffix: '«URLSuffix»',
  unknown: '«?»',
} as const;

const PSEUDO: Record<string, string> = {
  'AWS::Region': MARKER.region,
  'AWS::Partition': MARKER.partition,
  'AWS::AccountId': MARKER.account,
  'AWS::URLSuffix': MARKER.urlSuffix,
  'AWS::StackName': '«StackName»',
  'AWS::StackId': '«StackId»',
  'AWS::NoValue': '',
};

/** The logical id a `Ref` or `Fn::GetAtt` points at, when it is a resource of `template`. */
export function localReference(value: unknown, template: CfnTemplate): string | undefined {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  let target: unknown;
  if (keys[0] === 'Ref') target = value.Ref;
  else if (keys[0] === 'Fn::GetAtt') {
    const att = value['Fn::GetAtt'];
    target = Array.isArray(att) ? att[0] : typeof att === 'string' ? att.split('.')[0] : undefined;
  }
  return typeof target === 'string' && template.Resources?.[target] ? target : undefined;
}

/**
 * True for a value read from another stack of this region: an `Fn::ImportValue` (CloudFormation resolves imports
 * only within one account and region) or an `Fn::GetStackOutput` whose `Region` is absent or the allowed region.
 * The stack it comes from is in the same assembly and checked in its own right.
 */
export function isSameRegionImport(value: unknown): boolean {
  if (!isRecord(value)) return false;
  if ('Fn::ImportValue' in value) return true;
  const output = value['Fn::GetStackOutput'];
  return isRecord(output) && (output.Region === undefined || isAllowedRegionValue(output.Region));
}

/** True for `{ Ref: 'AWS::Region' }`. */
export function isRegionRef(value: unknown): boolean {
  return isRecord(value) && value.Ref === 'AWS::Region' && Object.keys(value).length === 1;
}

/** Replaces `${AWS::Region}`-style pseudo parameters written in a plain string (asset manifests, `Fn::Sub`). */
function markPseudoParameters(text: string): string {
  return text.replace(/\$\{(AWS::[A-Za-z]+)\}/g, (whole, name: string) => PSEUDO[name] ?? whole);
}

/**
 * Renders a string-valued expression (a literal, `Fn::Join`, `Fn::Sub`, `Ref`, `Fn::GetAtt`, `Fn::Select` of an
 * `Fn::Split`, `Fn::ImportValue`) as text with markers. Values derived from an ARN of a resource in the same
 * template, or imported with `Fn::ImportValue` (which CloudFormation resolves only within one region), render
 * their region field as the stack's own region.
 */
export function renderText(value: unknown, template: CfnTemplate, unrendered?: (part: unknown) => void): string {
  if (typeof value === 'string') return markPseudoParameters(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (!isRecord(value)) return MARKER.unknown;
  return renderIntrinsic(value, template, unrendered);
}

/**
 * Renders one intrinsic function. `unrendered` receives every part that could not be rendered (an `Fn::If`, an
 * `Fn::FindInMap`, an `Fn::Base64`...), so a caller looking for strings can still walk inside it.
 */
function renderIntrinsic(value: Record<string, unknown>, template: CfnTemplate, unrendered?: (part: unknown) => void): string {
  const part = (p: unknown): string => {
    const text = renderText(p, template, unrendered);
    if (text === MARKER.unknown && typeof p === 'object' && p !== null) unrendered?.(p);
    return text;
  };
  const [fn] = Object.keys(value);
  const arg = value[fn as string];
  switch (fn) {
    case 'Ref':
      return typeof arg === 'string' ? (PSEUDO[arg] ?? `«Ref ${arg}»`) : MARKER.unknown;
    case 'Fn::GetAtt':
      return `«GetAtt ${Array.isArray(arg) ? arg.join('.') : String(arg)}»`;
    case 'Fn::ImportValue':
      return '«Import»';
    case 'Fn::GetStackOutput':
      return '«Output»';
    case 'Fn::Join': {
      if (!Array.isArray(arg) || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) return MARKER.unknown;
      return (arg[1] as unknown[]).map(part).join(arg[0]);
    }
    case 'Fn::Sub': {
      const body = Array.isArray(arg) ? arg[0] : arg;
      const variables = Array.isArray(arg) && isRecord(arg[1]) ? arg[1] : {};
      if (typeof body !== 'string') return MARKER.unknown;
      return body.replace(/\$\{([^}]*)\}/g, (_whole, name: string) => {
        if (name.startsWith('!')) return `\${${name.slice(1)}}`;
        if (variables[name] !== undefined) return part(variables[name]);
        if (PSEUDO[name] !== undefined) return PSEUDO[name];
        return name.includes('.') ? `«GetAtt ${name}»` : `«Ref ${name}»`;
      });
    }
    case 'Fn::Select': {
      // Fn::Select [i, Fn::Split [":", <ARN of a local resource or an import>]] is how CDK takes a field of an ARN.
      if (Array.isArray(arg) && isRecord(arg[1]) && Array.isArray(arg[1]['Fn::Split'])) {
        const [delimiter, source] = arg[1]['Fn::Split'] as unknown[];
        const sameRegion = localReference(source, template) !== undefined || isSameRegionImport(source);
        if (delimiter === ':' && sameRegion) {
          const index = Number(arg[0]);
          if (index === 1) return MARKER.partition;
          if (index === 3) return MARKER.region;
          if (index === 4) return MARKER.account;
          return '«Part»';
        }
      }
      return MARKER.unknown;
    }
    default:
      return MARKER.unknown;
  }
}

/** True for an object that is one intrinsic function producing a string. */
function isStringIntrinsic(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && ['Fn::Join', 'Fn::Sub'].includes(keys[0] as string);
}

function parseJson(text: string): unknown {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Visits one piece of text found in a value: its rendering, where it is, and the containers enclosing it
 * (`ancestors[i]` holds the key `path[i]`).
 */
export type TextVisitor = (text: string, path: ValuePath, ancestors: readonly unknown[]) => void;

/**
 * Walks every string expression in `root`: literal strings, and each `Fn::Join` / `Fn::Sub` rendered whole (so a
 * region split across pieces is still seen). A string, or rendered expression, holding JSON (custom resource calls,
 * policies, state machine definitions) is parsed and its content walked instead, under a `(json)` path segment.
 */
export function walkText(root: unknown, template: CfnTemplate, visit: TextVisitor): void {
  const walk = (value: unknown, path: ValuePath, ancestors: readonly unknown[]): void => {
    const inner: unknown[] = [];
    const text = typeof value === 'string' || isStringIntrinsic(value) ? renderText(value, template, (p) => inner.push(p)) : undefined;
    if (text !== undefined && text !== MARKER.unknown) {
      const json = parseJson(text);
      if (json !== undefined && typeof json === 'object' && json !== null) walk(json, [...path, JSON_SEGMENT], [...ancestors, value]);
      else visit(text, path, ancestors);
      // Parts the rendering could not follow (Fn::If branches, Fn::FindInMap...) may still hold strings.
      for (const part of inner) walk(part, path, ancestors);
      return;
    }
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, [...path, i], [...ancestors, value]);
    } else if (isRecord(value)) {
      for (const [k, v] of Object.entries(value)) {
        // Object keys can carry data too (e.g. a mapping keyed by a region or a condition keyed by a URL).
        visitKey(k, path, ancestors);
        walk(v, [...path, k], [...ancestors, value]);
      }
    }
  };
  const visitKey = (key: string, path: ValuePath, ancestors: readonly unknown[]) => {
    if (findRegionNames(key).length > 0) visit(key, path, ancestors);
  };
  walk(root, [], []);
}

/** An ARN found in text, with its fields (markers left in place). */
export interface FoundArn {
  readonly arn: string;
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  /** Offsets of the region field inside the text. */
  readonly regionStart: number;
  readonly regionEnd: number;
}

// A field is text up to the next colon; markers (which may hold a space) count as text.
const FIELD = `(?:«[^»]*»|[^:\\s"',«])*`;
const ARN = new RegExp(`arn:(${FIELD}):(${FIELD}):(${FIELD}):(${FIELD}):(?:«[^»]*»|[^\\s"',«])*`, 'g');

/**
 * Every ARN in a rendered text, outer ones first, including an ARN nested in another one's resource: an API
 * Gateway integration URI (`arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations`)
 * names the function it invokes, and that function's region is where the request is processed.
 */
export function findArns(text: string): FoundArn[] {
  const out: FoundArn[] = [];
  const pattern = new RegExp(ARN.source, 'g');
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const [arn, partition = '', service = '', region = '', account = ''] = m;
    const regionStart = m.index + `arn:${partition}:${service}:`.length;
    out.push({ arn, partition, service, region, account, regionStart, regionEnd: regionStart + region.length });
    pattern.lastIndex = m.index + 'arn:'.length; // look inside this ARN for a nested one
  }
  return out;
}

/** Whether a value provably names something in the allowed region. */
export type RegionVerdict =
  | { readonly kind: 'in-region'; readonly how: string }
  | { readonly kind: 'foreign'; readonly region: string; readonly how: string }
  | { readonly kind: 'unproven'; readonly how: string };

/**
 * Decides where a destination (an ARN-valued property) lives: a resource of the same template, an
 * `Fn::ImportValue` or same-region `Fn::GetStackOutput` (see `isSameRegionImport`), or an ARN whose region field is the allowed region or
 * `${AWS::Region}` are in region; an ARN or URL naming another region is foreign; anything else (a parameter, an
 * ARN without a region, an intrinsic the checks cannot follow) is unproven and fails closed.
 */
export function regionOfDestination(value: unknown, template: CfnTemplate): RegionVerdict {
  if (localReference(value, template)) return { kind: 'in-region', how: 'a resource of this stack' };
  if (isSameRegionImport(value)) return { kind: 'in-region', how: 'an output of a stack in this region' };
  const output = isRecord(value) ? value['Fn::GetStackOutput'] : undefined;
  if (isRecord(output)) {
    const region = renderText(output.Region, template);
    return isForeignRegion(region)
      ? { kind: 'foreign', region, how: `an output of a stack in ${region}` }
      : { kind: 'unproven', how: `an output of a stack whose region cannot be confirmed (${readable(region)})` };
  }
  const text = renderText(value, template);
  const [arn] = findArns(text);
  if (arn) {
    if (arn.region === ALLOWED_REGION || arn.region === MARKER.region) return { kind: 'in-region', how: 'an ARN in region' };
    if (isForeignRegion(arn.region)) return { kind: 'foreign', region: arn.region, how: `an ARN in ${arn.region}` };
    if (arn.region === '') return { kind: 'unproven', how: `an ${arn.service} ARN with no region (${arn.arn})` };
    return { kind: 'unproven', how: `an ARN whose region cannot be confirmed (${arn.region})` };
  }
  const [foreign] = findRegionNames(text).filter((r) => r.region !== ALLOWED_REGION);
  if (foreign) return { kind: 'foreign', region: foreign.region, how: `a value naming ${foreign.region}` };
  return { kind: 'unproven', how: `a value whose region cannot be confirmed (${text.length > 80 ? `${text.slice(0, 77)}...` : text})` };
}

/** True when `value` is the allowed region, literally or as `AWS::Region`. */
export function isAllowedRegionValue(value: unknown): boolean {
  return value === ALLOWED_REGION || isRegionRef(value) || value === '${AWS::Region}' || (isRecord(value) && value['Fn::Sub'] === '${AWS::Region}');
}

/**
 * Turns markers back into the `${...}` notation of `Fn::Sub` for people to read: `«Ref Bucket»` becomes
 * `${Bucket}`, `«Region»` becomes `${AWS::Region}`.
 */
export function readable(text: string): string {
  return text
    .replace(/«(Region|Partition|AccountId|URLSuffix|StackName|StackId)»/g, '${AWS::$1}')
    .replace(/«(?:Ref|GetAtt) ([^»]+)»/g, '${$1}')
    .replace(/«Import»/g, '${ImportValue}')
    .replace(/«Output»/g, '${GetStackOutput}')
    .replace(/«Part»|«\?»/g, '${?}');
}

/** A short, printable form of a value for messages. */
export function show(value: unknown): string {
  const s = typeof value === 'string' ? readable(value) : JSON.stringify(value);
  return s === undefined ? 'nothing' : s.length > 100 ? `${s.slice(0, 97)}...` : s;
}

/**
 * Where a text sits relative to an IAM `Deny` statement. A Deny only ever removes permissions, so a region named in
 * its `Resource`, `Action` or a positive condition (`StringEquals aws:RequestedRegion us-east-1`: "deny requests to
 * us-east-1") cannot move data anywhere and is `restrictive`. A region named in a negated part (`NotResource`,
 * `NotPrincipal`, `StringNotEquals aws:RequestedRegion [...]`) is an exemption from the Deny: it weakens the
 * region guard, so it is `exempting`. Anything outside a Deny statement is `none`.
 */
export function denyPosition(path: ValuePath, ancestors: readonly unknown[]): 'none' | 'restrictive' | 'exempting' {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const container = ancestors[i];
    if (!isRecord(container) || container.Effect !== 'Deny') continue;
    const element = path[i];
    if (element === 'Condition') {
      const operator = path[i + 1];
      return typeof operator === 'string' && !/Not/.test(operator) ? 'restrictive' : 'exempting';
    }
    if (typeof element === 'string' && element.startsWith('Not')) return 'exempting';
    return 'restrictive';
  }
  return 'none';
}

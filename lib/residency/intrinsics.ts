import { gunzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { findRegionNames, foreignRegionNames, isAllowedRegion, isForeignRegion } from './regions';
import { DEFAULT_RESIDENCY_SETTINGS, type ResidencySettings } from './settings';
import { BASE64_SEGMENT, isRecord, JSON_SEGMENT, YAML_SEGMENT, type CfnTemplate, type ValuePath } from './template';

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
export function isSameRegionImport(value: unknown, settings: ResidencySettings = DEFAULT_RESIDENCY_SETTINGS): boolean {
  if (!isRecord(value)) return false;
  if ('Fn::ImportValue' in value) return true;
  const output = value['Fn::GetStackOutput'];
  return isRecord(output) && (output.Region === undefined || isAllowedRegionValue(output.Region, settings));
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

/** A YAML document carried as a string: several lines, at least one of them `key: value` or a list item. */
const YAML_DOCUMENT = /^(---|[A-Za-z_"'][\w"' .-]*:(\s|$)|- )/m;

function parseYamlDocument(text: string): unknown {
  if (!text.includes('\n') || !YAML_DOCUMENT.test(text)) return undefined;
  try {
    // CloudFormation short forms (!Ref, !Sub) are unknown tags to a YAML parser: they parse as plain values.
    const doc = parseYaml(text, { logLevel: 'silent', uniqueKeys: false, maxAliasCount: 100 }) as unknown;
    return typeof doc === 'object' && doc !== null ? doc : undefined;
  } catch {
    return undefined;
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The text a base64 string encodes (gzip-compressed or not, as EC2 user data often is), when it is text: a literal
 * `UserData` or payload already encoded hides its content from a plain string search. Hashes and ids that happen to
 * be valid base64 decode to binary and are left alone.
 */
export function decodeBase64Text(text: string): string | undefined {
  const t = text.trim();
  if (t.length < 16 || !BASE64.test(t) || /^[0-9a-f]+$/i.test(t)) return undefined;
  let bytes = Buffer.from(t, 'base64');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: 4 * 1024 * 1024 });
    } catch {
      return undefined;
    }
  }
  const decoded = bytes.toString('utf8');
  // Text: no replacement characters and almost no control characters other than whitespace.
  if (decoded.includes('\uFFFD')) return undefined;
  const control = [...decoded].filter((c) => (c.charCodeAt(0) < 0x20 && !'\t\n\r'.includes(c)) || c.charCodeAt(0) === 0x7f).length;
  return control === 0 && /[\s:=/.,{}]/.test(decoded) ? decoded : undefined;
}

/**
 * Property names whose values are documentation for people, not configuration: no AWS service acts on them, so the
 * string rules do not read them. In templates: `Description` (resources, their sub-properties such as security
 * group rules, outputs and parameters), `AlarmDescription`, `GroupDescription` and `ConstraintDescription`; in
 * documents carried inside properties (state machine definitions, OpenAPI bodies, dashboard bodies): `Comment`,
 * `description`, `summary`, `title` and `markdown` (a dashboard's text widgets).
 */
export const FREE_TEXT_PROPERTIES: ReadonlySet<string> = new Set([
  'Description',
  'AlarmDescription',
  'GroupDescription',
  'ConstraintDescription',
  'Comment',
  'description',
  'summary',
  'title',
  'markdown',
]);

/**
 * Tag keys (compared without case) whose values are labels for people. Other tags are read like any property:
 * automation and attribute-based access control act on tag values.
 */
export const HUMAN_TAG_KEYS: ReadonlySet<string> = new Set([
  'name',
  'description',
  'purpose',
  'owner',
  'contact',
  'team',
  'project',
  'notes',
  'note',
  'comment',
  'comments',
  'documentation',
]);

function isFreeTextValue(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || (keys[0] as string).startsWith('Fn::'));
}

/** True when `key` of `container` (reached by `path`) holds prose: a free-text property or a human tag's value. */
export function isFreeText(container: Record<string, unknown>, key: string, path: ValuePath): boolean {
  const value = container[key];
  if (FREE_TEXT_PROPERTIES.has(key) && isFreeTextValue(value)) return true;
  // A tag in list form: { Key, Value }.
  if (key === 'Value' && typeof container.Key === 'string' && HUMAN_TAG_KEYS.has(container.Key.toLowerCase()) && isFreeTextValue(value)) return true;
  // Tags in map form: Tags: { Name: ..., Owner: ... }.
  return path[path.length - 1] === 'Tags' && HUMAN_TAG_KEYS.has(key.toLowerCase()) && isFreeTextValue(value);
}

/**
 * Visits one piece of text found in a value: its rendering, where it is, and the containers enclosing it
 * (`ancestors[i]` holds the key `path[i]`).
 */
export type TextVisitor = (text: string, path: ValuePath, ancestors: readonly unknown[]) => void;

/** What a string carries, once worked out: the rules walk the same strings many times. */
interface Carried {
  readonly json?: unknown;
  readonly decoded?: string;
  readonly yaml?: unknown;
}

const carriedCache = new Map<string, Carried>();

function carriedBy(text: string): Carried {
  let found = carriedCache.get(text);
  if (found === undefined) {
    const json = parseJson(text);
    if (json !== undefined && typeof json === 'object' && json !== null) found = { json };
    else {
      const decoded = decodeBase64Text(text);
      found = decoded !== undefined ? { decoded } : { yaml: parseYamlDocument(text) };
    }
    if (carriedCache.size > 10_000) carriedCache.clear();
    carriedCache.set(text, found);
  }
  return found;
}

/** How deep documents inside strings are opened (JSON in base64 in YAML...). */
const MAX_EMBEDDING_DEPTH = 8;

/**
 * Walks every string expression in `root`: literal strings, and each `Fn::Join` / `Fn::Sub` rendered whole (so a
 * region split across pieces is still seen). A string (or rendered expression) that carries a document is opened
 * and its content walked instead, to any depth: JSON (custom resource calls, policies, state machine definitions)
 * under a `(json)` path segment, YAML (OpenAPI bodies, agent configurations) under `(yaml)`, and base64-encoded
 * text (user data, encoded payloads), gzip-compressed or not, under `(base64)`. Free text (`FREE_TEXT_PROPERTIES`,
 * the values of `HUMAN_TAG_KEYS` tags) is not walked.
 */
export function walkText(root: unknown, template: CfnTemplate, visit: TextVisitor): void {
  const walkString = (text: string, value: unknown, path: ValuePath, ancestors: readonly unknown[], depth: number): void => {
    if (depth < MAX_EMBEDDING_DEPTH) {
      const { json, decoded, yaml } = carriedBy(text);
      if (json !== undefined) {
        walk(json, [...path, JSON_SEGMENT], [...ancestors, value], depth + 1);
        return;
      }
      if (decoded !== undefined) {
        walkString(decoded, value, [...path, BASE64_SEGMENT], [...ancestors, value], depth + 1);
        return;
      }
      if (yaml !== undefined) {
        walk(yaml, [...path, YAML_SEGMENT], [...ancestors, value], depth + 1);
        // YAML parses leniently: a string that only looked like YAML is still read as text.
        if (!isRecord(yaml)) visit(text, path, ancestors);
        return;
      }
    }
    visit(text, path, ancestors);
  };
  const walk = (value: unknown, path: ValuePath, ancestors: readonly unknown[], depth: number): void => {
    const inner: unknown[] = [];
    const text = typeof value === 'string' || isStringIntrinsic(value) ? renderText(value, template, (p) => inner.push(p)) : undefined;
    if (text !== undefined && text !== MARKER.unknown) {
      walkString(text, value, path, ancestors, depth);
      // Parts the rendering could not follow (Fn::If branches, Fn::FindInMap...) may still hold strings.
      for (const part of inner) walk(part, path, ancestors, depth);
      return;
    }
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, [...path, i], [...ancestors, value], depth);
    } else if (isRecord(value)) {
      for (const [k, v] of Object.entries(value)) {
        if (isFreeText(value, k, path)) continue;
        // Object keys can carry data too (e.g. a mapping keyed by a region or a condition keyed by a URL).
        visitKey(k, path, ancestors);
        walk(v, [...path, k], [...ancestors, value], depth);
      }
    }
  };
  const visitKey = (key: string, path: ValuePath, ancestors: readonly unknown[]) => {
    if (findRegionNames(key).length > 0) visit(key, path, ancestors);
  };
  walk(root, [], [], 0);
}

/**
 * `value` with every document carried in a string opened (JSON, YAML, base64 text, to any depth), for rules that
 * read a structure (a state machine definition, an OpenAPI body) that may be written as an object or as a string.
 */
export function openDocuments(value: unknown, template: CfnTemplate, depth = 0): unknown {
  if (depth >= MAX_EMBEDDING_DEPTH) return value;
  if (typeof value === 'string' || isStringIntrinsic(value)) {
    const text = renderText(value, template);
    if (text === MARKER.unknown) return value;
    const { json, decoded, yaml } = carriedBy(text);
    if (json !== undefined) return openDocuments(json, template, depth + 1);
    if (decoded !== undefined) return openDocuments(decoded, template, depth + 1);
    return yaml !== undefined ? openDocuments(yaml, template, depth + 1) : text;
  }
  if (Array.isArray(value)) return value.map((v) => openDocuments(v, template, depth));
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || (keys[0] as string).startsWith('Fn::'))) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, openDocuments(v, template, depth)]));
  }
  return value;
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

/**
 * Services whose ARNs with neither region nor account name an integration, not a resource: Step Functions service
 * integrations (`arn:aws:states:::dynamodb:putItem`, `arn:aws:states:::lambda:invoke`, `arn:aws:states:::aws-sdk:...`)
 * and EventBridge Scheduler universal targets (`arn:aws:scheduler:::aws-sdk:sqs:sendMessage`). They run in the
 * caller's own region; what they call is named by their parameters, which the rules read like any other value.
 */
export const INTEGRATION_SERVICES: readonly string[] = ['states', 'scheduler'];

/** True for a region-free service-integration ARN (see `INTEGRATION_SERVICES`). */
export function isIntegrationArn(arn: FoundArn): boolean {
  return arn.region === '' && arn.account === '' && INTEGRATION_SERVICES.includes(arn.service);
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
export function regionOfDestination(value: unknown, template: CfnTemplate, settings: ResidencySettings = DEFAULT_RESIDENCY_SETTINGS): RegionVerdict {
  if (localReference(value, template)) return { kind: 'in-region', how: 'a resource of this stack' };
  if (isSameRegionImport(value, settings)) return { kind: 'in-region', how: 'an output of a stack in this region' };
  const output = isRecord(value) ? value['Fn::GetStackOutput'] : undefined;
  if (isRecord(output)) {
    const region = renderText(output.Region, template);
    return isForeignRegion(region, settings)
      ? { kind: 'foreign', region, how: `an output of a stack in ${region}` }
      : { kind: 'unproven', how: `an output of a stack whose region cannot be confirmed (${readable(region)})` };
  }
  const text = renderText(value, template);
  const [arn] = findArns(text);
  if (arn) {
    if (isAllowedRegion(arn.region, settings) || arn.region === MARKER.region) return { kind: 'in-region', how: 'an ARN in region' };
    if (isForeignRegion(arn.region, settings)) return { kind: 'foreign', region: arn.region, how: `an ARN in ${arn.region}` };
    if (isIntegrationArn(arn)) return { kind: 'in-region', how: "a service integration, run in the caller's own region" };
    if (arn.region === '') return { kind: 'unproven', how: `an ${arn.service} ARN with no region (${arn.arn})` };
    return { kind: 'unproven', how: `an ARN whose region cannot be confirmed (${arn.region})` };
  }
  const [foreign] = foreignRegionNames(text, settings);
  if (foreign) return { kind: 'foreign', region: foreign.region, how: `a value naming ${foreign.region}` };
  return { kind: 'unproven', how: `a value whose region cannot be confirmed (${text.length > 80 ? `${text.slice(0, 77)}...` : text})` };
}

/** True when `value` is an allowed region, literally or as `AWS::Region`. */
export function isAllowedRegionValue(value: unknown, settings: ResidencySettings = DEFAULT_RESIDENCY_SETTINGS): boolean {
  return (
    (typeof value === 'string' && isAllowedRegion(value, settings)) ||
    isRegionRef(value) ||
    value === '${AWS::Region}' ||
    (isRecord(value) && value['Fn::Sub'] === '${AWS::Region}')
  );
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

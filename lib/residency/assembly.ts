import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRecord, type CfnTemplate, type StackEnvironment } from './template';
import type { AssetDestinationView } from './rule';

/** Thrown when the input to the scanner or report cannot be used: missing, not JSON, not a template or assembly. */
export class ResidencyInputError extends Error {
  override readonly name = 'ResidencyInputError';
}

/** One template to check: a stack's own, a nested stack's, or a lone template file. */
export interface TemplateUnit {
  /** Path relative to the assembly directory (or the file name for a lone template). */
  readonly file: string;
  readonly template: CfnTemplate;
  /** The environment of the stack (a nested stack's is its parent's); `undefined` fields when unknown. */
  readonly env: StackEnvironment;
  /** The stack this template belongs to (artifact id), when known. */
  readonly stackId?: string;
  /** Set for nested stacks: the logical id of the `AWS::CloudFormation::Stack` resource in the parent. */
  readonly nestedIn?: { readonly file: string; readonly logicalId: string };
}

/** One stack artifact of a cloud assembly. */
export interface StackUnit {
  readonly id: string;
  readonly displayName: string;
  /** The CloudFormation stack name (what `Fn::GetStackOutput` names). */
  readonly stackName: string;
  /** `manifest.json` path relative to the assembly directory. */
  readonly manifestFile: string;
  readonly env: StackEnvironment;
  readonly environment: string;
  readonly templateFile: string;
  readonly deployment: Readonly<Record<string, string>>;
}

/** One asset manifest. */
export interface AssetManifestUnit {
  readonly file: string;
  readonly destinations: readonly AssetDestinationView[];
}

/** Everything a cloud assembly (or a lone template) holds that the residency checks read. */
export interface ResidencyInput {
  /** The assembly directory, or the lone file. */
  readonly root: string;
  readonly kind: 'assembly' | 'template' | 'assets';
  readonly stacks: readonly StackUnit[];
  readonly templates: readonly TemplateUnit[];
  readonly assetManifests: readonly AssetManifestUnit[];
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ResidencyInputError(`cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ResidencyInputError(`${file} is not JSON: ${(e as Error).message}`);
  }
}

/** Parses `aws://<account>/<region>`; `unknown-account` / `unknown-region` mean environment-agnostic. */
export function parseEnvironment(environment: string): StackEnvironment {
  const m = /^aws:\/\/([^/]*)\/(.*)$/.exec(environment);
  if (!m) return {};
  const [, account, region] = m;
  return {
    ...(account && account !== 'unknown-account' ? { account } : {}),
    ...(region && region !== 'unknown-region' ? { region } : {}),
  };
}

function isTemplate(value: unknown): value is CfnTemplate {
  return isRecord(value) && isRecord(value.Resources);
}

function isAssetManifest(value: unknown): boolean {
  return isRecord(value) && (isRecord(value.files) || isRecord(value.dockerImages)) && !isRecord(value.Resources);
}

/** The destinations of an asset manifest, as the asset rule reads them. */
export function assetDestinations(manifest: unknown): AssetDestinationView[] {
  const out: AssetDestinationView[] = [];
  if (!isRecord(manifest)) return out;
  for (const section of ['files', 'dockerImages']) {
    const assets = manifest[section];
    if (!isRecord(assets)) continue;
    for (const [assetId, asset] of Object.entries(assets)) {
      if (!isRecord(asset) || !isRecord(asset.destinations)) continue;
      for (const [destId, dest] of Object.entries(asset.destinations)) {
        if (!isRecord(dest)) continue;
        const fields: Record<string, string> = {};
        for (const [k, v] of Object.entries(dest)) if (typeof v === 'string' && k !== 'region') fields[k] = v;
        out.push({
          path: [section, assetId, 'destinations', destId],
          ...(typeof dest.region === 'string' ? { region: dest.region } : {}),
          fields,
        });
      }
    }
  }
  return out;
}

/** Nested stacks of a template: their resource and the template file CDK wrote for them. */
function nestedTemplates(template: CfnTemplate): { logicalId: string; file: string }[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::CloudFormation::Stack' && typeof r.Metadata?.['aws:asset:path'] === 'string')
    .map(([logicalId, r]) => ({ logicalId, file: r.Metadata?.['aws:asset:path'] as string }));
}

function loadAssembly(dir: string, prefix: string, acc: { stacks: StackUnit[]; templates: TemplateUnit[]; assets: AssetManifestUnit[] }): void {
  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = readJson(manifestPath);
  const manifestFile = path.join(prefix, 'manifest.json');
  if (!isRecord(manifest) || (!isRecord(manifest.artifacts) && manifest.version === undefined)) {
    throw new ResidencyInputError(`${manifestPath} is not a cloud assembly manifest (no artifacts)`);
  }
  const artifacts = isRecord(manifest.artifacts) ? manifest.artifacts : {};
  const loadTemplate = (file: string, env: StackEnvironment, stackId: string, nestedIn?: TemplateUnit['nestedIn']) => {
    const full = path.join(dir, file);
    const template = readJson(full);
    if (!isTemplate(template)) throw new ResidencyInputError(`${full} is not a CloudFormation template (no Resources)`);
    const unit: TemplateUnit = { file: path.join(prefix, file), template, env, stackId, ...(nestedIn ? { nestedIn } : {}) };
    acc.templates.push(unit);
    for (const nested of nestedTemplates(template)) {
      loadTemplate(nested.file, env, stackId, { file: unit.file, logicalId: nested.logicalId });
    }
  };
  for (const [id, artifact] of Object.entries(artifacts)) {
    if (!isRecord(artifact)) continue;
    const props = isRecord(artifact.properties) ? artifact.properties : {};
    if (artifact.type === 'aws:cloudformation:stack') {
      const environment = typeof artifact.environment === 'string' ? artifact.environment : 'aws://unknown-account/unknown-region';
      const env = parseEnvironment(environment);
      const templateFile = typeof props.templateFile === 'string' ? props.templateFile : `${id}.template.json`;
      const deployment: Record<string, string> = {};
      for (const key of ['assumeRoleArn', 'cloudFormationExecutionRoleArn', 'stackTemplateAssetObjectUrl']) {
        if (typeof props[key] === 'string') deployment[key] = props[key];
      }
      if (isRecord(props.lookupRole) && typeof props.lookupRole.arn === 'string') deployment['lookupRole.arn'] = props.lookupRole.arn;
      acc.stacks.push({
        id,
        displayName: typeof artifact.displayName === 'string' ? artifact.displayName : id,
        stackName: typeof props.stackName === 'string' ? props.stackName : id,
        manifestFile,
        env,
        environment,
        templateFile: path.join(prefix, templateFile),
        deployment,
      });
      loadTemplate(templateFile, env, id);
    } else if (artifact.type === 'cdk:asset-manifest' && typeof props.file === 'string') {
      acc.assets.push({ file: path.join(prefix, props.file), destinations: assetDestinations(readJson(path.join(dir, props.file))) });
    } else if (artifact.type === 'cdk:cloud-assembly' && typeof props.directoryName === 'string') {
      loadAssembly(path.join(dir, props.directoryName), path.join(prefix, props.directoryName), acc);
    }
  }
}

/**
 * Reads a cloud assembly directory (every stack template, nested stack templates, nested assemblies of stages,
 * asset manifests and stack environments) or a lone JSON file (a template, an asset manifest, or a
 * `manifest.json`, which stands for its directory).
 *
 * @throws ResidencyInputError when the path is missing or holds nothing the checks can read
 */
export function readResidencyInput(target: string): ResidencyInput {
  const root = path.resolve(target);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(root);
  } catch {
    throw new ResidencyInputError(`no such file or directory: ${target}`);
  }
  const acc = { stacks: [] as StackUnit[], templates: [] as TemplateUnit[], assets: [] as AssetManifestUnit[] };
  if (stat.isDirectory() || path.basename(root) === 'manifest.json') {
    const dir = stat.isDirectory() ? root : path.dirname(root);
    if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
      throw new ResidencyInputError(`${target} is not a cloud assembly (no manifest.json): pass a cdk.out directory or a template.json`);
    }
    loadAssembly(dir, '', acc);
    if (acc.stacks.length === 0) throw new ResidencyInputError(`${target} is a cloud assembly with no stacks`);
    return { root: dir, kind: 'assembly', stacks: acc.stacks, templates: acc.templates, assetManifests: acc.assets };
  }
  const json = readJson(root);
  const file = path.basename(root);
  if (isTemplate(json)) return { root, kind: 'template', stacks: [], templates: [{ file, template: json, env: {} }], assetManifests: [] };
  if (isAssetManifest(json)) return { root, kind: 'assets', stacks: [], templates: [], assetManifests: [{ file, destinations: assetDestinations(json) }] };
  throw new ResidencyInputError(`${target} is neither a CloudFormation template (no Resources) nor a cloud assembly`);
}

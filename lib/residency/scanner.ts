import { evaluateAssets, evaluateStack, evaluateTemplate, formatFinding, toFinding, type ResidencyFinding } from './engine';
import { readResidencyInput, type ResidencyInput } from './assembly';
import { resolveResidencySettings, type ResidencyOptions, type ResidencySettings } from './settings';

/** The result of scanning a cloud assembly or a template. */
export interface ResidencyScan {
  /** What was scanned (absolute path). */
  readonly root: string;
  readonly kind: ResidencyInput['kind'];
  /** Number of templates, stacks and asset manifests read. */
  readonly counts: { readonly templates: number; readonly stacks: number; readonly assetManifests: number; readonly resources: number };
  readonly findings: readonly ResidencyFinding[];
  /** The settings the rules were held to. */
  readonly settings: ResidencySettings;
}

/**
 * Runs every residency rule over what `readResidencyInput` read. Pure: no file access.
 *
 * @param options allowed regions and declared egress; the defaults are this package's own (eu-west-2, the NHS login issuers)
 */
export function scanInput(input: ResidencyInput, options: ResidencyOptions = {}): ResidencyScan {
  const settings = resolveResidencySettings(options);
  const findings: ResidencyFinding[] = [];
  for (const stack of input.stacks) {
    for (const { rule, hit } of evaluateStack({ name: stack.displayName, env: stack.env, deployment: stack.deployment, settings })) {
      findings.push(toFinding(rule.id, stack.manifestFile, stack.displayName, 'Stack', ['environment', ...hit.path], hit, settings, stack.displayName));
    }
  }
  for (const unit of input.templates) {
    const stack = input.stacks.find((s) => s.id === unit.stackId)?.displayName;
    findings.push(...evaluateTemplate(unit.template, unit.env, unit.file, settings, stack));
  }
  for (const manifest of input.assetManifests) {
    for (const { rule, hit } of evaluateAssets(manifest.destinations, settings)) {
      const [section, assetId, , destId, ...rest] = hit.path;
      findings.push(
        toFinding(
          rule.id,
          manifest.file,
          `${String(assetId)}/${String(destId)}`,
          section === 'dockerImages' ? 'DockerImageAsset' : 'FileAsset',
          rest,
          hit,
          settings,
        ),
      );
    }
  }
  const resources = input.templates.reduce((n, t) => n + Object.keys(t.template.Resources ?? {}).length, 0);
  return {
    root: input.root,
    kind: input.kind,
    counts: { templates: input.templates.length, stacks: input.stacks.length, assetManifests: input.assetManifests.length, resources },
    findings,
    settings,
  };
}

/**
 * Scans a cloud assembly directory (every template, nested ones too, every asset manifest and every stack
 * environment) or a single template file.
 *
 * @param options allowed regions and declared egress (see `ResidencyOptions`)
 * @throws ResidencyInputError when the path cannot be used
 */
export function scanResidency(target: string, options: ResidencyOptions = {}): ResidencyScan {
  return scanInput(readResidencyInput(target), options);
}

/** The command's text output: one line per finding, then a count line. */
export function formatScan(scan: ResidencyScan): string {
  const lines = scan.findings.map(formatFinding);
  const what = `${scan.counts.templates} template(s), ${scan.counts.assetManifests} asset manifest(s), ${scan.counts.stacks} stack environment(s)`;
  lines.push(scan.findings.length === 0 ? `UK residency: no findings in ${what}.` : `UK residency: ${scan.findings.length} finding(s) in ${what}.`);
  return lines.join('\n');
}

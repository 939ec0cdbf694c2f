import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { loadStageConfig, parseStageConfig, type StageConfig, type StageConfigInput } from '../../config';
import { addGuardrails } from '../../lib/nag';
import { NhsLoginRelyingParty } from '../../lib/relying-party';

const CDK_JSON_CONTEXT = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context as Record<string, unknown>;

export interface SynthOptions {
  /** Register the nag packs and acknowledgements, as `bin/app.ts` does. @default false */
  readonly guardrails?: boolean;
  /** Bundle the handlers with esbuild (slow; only needed to inspect assets). @default false */
  readonly bundle?: boolean;
}

export interface SynthesizedStage {
  readonly app: App;
  readonly config: StageConfig;
  readonly rp: NhsLoginRelyingParty;
  readonly assembly: CloudAssembly;
  readonly stateful: Template;
  readonly stateless: Template;
}

/**
 * Synthesizes one stage the way `bin/app.ts` does, with the same feature flags (from cdk.json), into a temporary
 * directory. CloudFormation's built-in validation is off here (it costs seconds and `cdk synth` keeps it on).
 */
export function synthStage(stage: string | StageConfigInput, options: SynthOptions = {}): SynthesizedStage {
  const config = typeof stage === 'string' ? loadStageConfig(stage) : parseStageConfig(stage);
  const app = new App({
    outdir: mkdtempSync(path.join(tmpdir(), `rp-${config.stage}-`)),
    builtinCloudFormationValidation: false,
    analyticsReporting: false,
    context: { ...CDK_JSON_CONTEXT, 'aws:cdk:enable-path-metadata': true, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const rp = new NhsLoginRelyingParty(app, `NhsLoginRp-${config.stage}`, { config });
  if (options.guardrails) addGuardrails(app);
  const assembly = app.synth();
  return {
    app,
    config,
    rp,
    assembly,
    stateful: Template.fromStack(rp.stateful, { skipCyclicalDependenciesCheck: false }),
    stateless: Template.fromStack(rp.stateless),
  };
}

import { parseStageConfig, STAGE_NAMES, StageConfigError, type StageConfig, type StageName } from './schema';
import { integration } from './stages/integration';
import { local } from './stages/local';
import { production } from './stages/production';
import { sandpit } from './stages/sandpit';

export * from './schema';

/** The stage `cdk synth` builds when no `-c stage=<name>` is given. */
export const DEFAULT_STAGE: StageName = 'sandpit';

/** Stages that `cdk deploy` may build. `local` runs only under `npm run local`. */
export const DEPLOYABLE_STAGES = ['sandpit', 'integration', 'production'] as const satisfies readonly StageName[];

const STAGES = { local, sandpit, integration, production };

/** Loads and validates one stage's configuration; unknown names fail with the list of stages. */
export function loadStageConfig(name: string): StageConfig {
  if (!(STAGE_NAMES as readonly string[]).includes(name)) {
    throw new StageConfigError(`Unknown stage "${name}": expected one of ${STAGE_NAMES.join(', ')}`);
  }
  return parseStageConfig(STAGES[name as StageName]);
}

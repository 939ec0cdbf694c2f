/**
 * `npm run capacity -- <stage> [--duration-ms <function>=<ms> ...]`: the stage's capacity table (see `model.ts`).
 * The stage's config is loaded by the caller (`bin/capacity.ts`), so this module needs none of the stage files.
 */
import type { StageConfig } from '../../config/schema';
import { FUNCTION_NAMES, type FunctionName } from '../function-table';
import { formatCapacity } from './format';
import { computeCapacity } from './model';

export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

const USAGE = `usage: npm run capacity -- <stage> [--duration-ms <function>=<ms> ...]   (functions: ${FUNCTION_NAMES.join(', ')})`;

/** Parses the arguments; a string is the usage error to print. */
export function parseCapacityArgs(args: readonly string[]): { stage: string; durationsMs: Partial<Record<FunctionName, number>> } | string {
  const durationsMs: Partial<Record<FunctionName, number>> = {};
  const stages: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--duration-ms') {
      const m = /^([a-z-]+)=(\d+(?:\.\d+)?)$/.exec(args[++i] ?? '');
      const fn = m?.[1] as FunctionName | undefined;
      if (!m || !fn || !FUNCTION_NAMES.includes(fn) || Number(m[2]) <= 0) return `--duration-ms needs <function>=<milliseconds>, got "${args[i] ?? ''}"`;
      durationsMs[fn] = Number(m[2]);
    } else if (arg.startsWith('-')) {
      return `unknown option ${arg}`;
    } else {
      stages.push(arg);
    }
  }
  const [stage] = stages;
  if (stage === undefined || stages.length !== 1) return 'name exactly one stage';
  return { stage, durationsMs };
}

/** Prints the table; returns the exit code (0, or 2 for bad arguments or an unknown stage). */
export function runCapacity(args: readonly string[], out: CommandOutput, load: (stage: string) => StageConfig): number {
  const parsed = parseCapacityArgs(args);
  if (typeof parsed === 'string') {
    out.stderr(`capacity: ${parsed}\n${USAGE}\n`);
    return 2;
  }
  let config: StageConfig;
  try {
    config = load(parsed.stage);
  } catch (e) {
    out.stderr(`capacity: ${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    return 2;
  }
  out.stdout(formatCapacity(computeCapacity(config, { durationsMs: parsed.durationsMs })));
  return 0;
}

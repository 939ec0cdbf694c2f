#!/usr/bin/env node
/** `npm run capacity -- <stage> [--duration-ms <function>=<ms> ...]`: see lib/capacity/cli.ts. */
import { loadStageConfig } from '../config';
import { runCapacity } from '../lib/capacity';

process.exitCode = runCapacity(
  process.argv.slice(2),
  {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  },
  loadStageConfig,
);

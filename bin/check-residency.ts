#!/usr/bin/env node
/** `npm run check:residency -- [--format text|json|sarif] [--region r] [--egress-host h] <cloud assembly dir | template.json>`: see lib/residency/cli.ts. */
import { runCheckResidency } from '../lib';

process.exitCode = runCheckResidency(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});

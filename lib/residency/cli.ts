import { ResidencyInputError } from './assembly';
import { formatScan, scanResidency } from './scanner';

/** Where the command writes. */
export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Exit codes of `check:residency`, a contract CI and scripts rely on (see `docs/residency.md`): keep them stable. */
export const EXIT = { clean: 0, findings: 1, unusable: 2 } as const;

const USAGE = 'usage: npm run check:residency -- [--json] <cloud assembly dir | template.json>';

/**
 * `check:residency`: scans a cloud assembly or template and prints one line per finding and a count (or, with
 * `--json`, the findings as JSON). Returns the exit code: 0 clean, 1 findings, 2 unusable input.
 */
export function runCheckResidency(args: readonly string[], out: CommandOutput): number {
  const json = args.includes('--json');
  const rest = args.filter((a) => a !== '--json');
  const unknown = rest.filter((a) => a.startsWith('-'));
  if (unknown.length > 0 || rest.length !== 1) {
    out.stderr(`${unknown.length > 0 ? `unknown option ${unknown.join(' ')}\n` : ''}${USAGE}\n`);
    return EXIT.unusable;
  }
  try {
    const scan = scanResidency(rest[0] as string);
    if (json) {
      out.stdout(`${JSON.stringify({ root: scan.root, kind: scan.kind, counts: scan.counts, findings: scan.findings }, null, 2)}\n`);
    } else {
      out.stdout(`${formatScan(scan)}\n`);
    }
    return scan.findings.length === 0 ? EXIT.clean : EXIT.findings;
  } catch (e) {
    if (e instanceof ResidencyInputError) {
      out.stderr(`check:residency: ${e.message}\n${USAGE}\n`);
      return EXIT.unusable;
    }
    throw e;
  }
}

import { ResidencyInputError } from './assembly';
import { toSarif } from './sarif';
import { formatScan, scanResidency } from './scanner';
import type { ResidencyOptions } from './settings';

/** Where the command writes. */
export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Exit codes of `check:residency`, a contract CI and scripts rely on (see `docs/residency.md`): keep them stable. */
export const EXIT = { clean: 0, findings: 1, unusable: 2 } as const;

const USAGE =
  'usage: npm run check:residency -- [--format text|json|sarif] [--json] [--region <region>]... [--egress-host <host>]... ' +
  '[--self-url-variable <name>]... <cloud assembly dir | template.json>';

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

/** Options that take a value, and the setting each one adds to (each may be given more than once). */
const LIST_OPTIONS = { '--region': 'allowedRegions', '--egress-host': 'egressHosts', '--self-url-variable': 'selfUrlVariables' } as const;

class UsageError extends Error {}

function parseArgs(args: readonly string[]): { format: Format; options: ResidencyOptions; target: string } {
  let format: Format = 'text';
  const lists: Record<string, string[]> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined || v === '') throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (name === '--json') format = 'json';
    else if (name === '--format') {
      const v = value();
      if (!(FORMATS as readonly string[]).includes(v)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${v}")`);
      format = v as Format;
    } else if (name in LIST_OPTIONS) {
      const key = LIST_OPTIONS[name as keyof typeof LIST_OPTIONS];
      lists[key] = [...(lists[key] ?? []), value()];
    } else if (name.startsWith('-')) throw new UsageError(`unknown option ${name}`);
    else rest.push(arg);
  }
  if (rest.length !== 1) throw new UsageError(rest.length === 0 ? 'no cloud assembly or template given' : `one path only (got ${rest.join(' ')})`);
  return { format, options: lists as ResidencyOptions, target: rest[0] as string };
}

/**
 * `check:residency`: scans a cloud assembly or template and prints one line per finding and a count, the findings as
 * JSON (`--format json`, or `--json`) or a SARIF 2.1.0 log (`--format sarif`). `--region`, `--egress-host` and
 * `--self-url-variable` (each repeatable) replace the default allowed regions, declared egress hosts and self-URL
 * variables. Returns the exit code: 0 clean, 1 findings, 2 unusable input or options.
 *
 * @param cwd the directory SARIF artifact locations are relative to
 */
export function runCheckResidency(args: readonly string[], out: CommandOutput, cwd: string = process.cwd()): number {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    out.stderr(`${e.message}\n${USAGE}\n`);
    return EXIT.unusable;
  }
  try {
    const scan = scanResidency(parsed.target, parsed.options);
    if (parsed.format === 'json') {
      out.stdout(`${JSON.stringify({ root: scan.root, kind: scan.kind, counts: scan.counts, settings: scan.settings, findings: scan.findings }, null, 2)}\n`);
    } else if (parsed.format === 'sarif') {
      out.stdout(`${JSON.stringify(toSarif(scan, cwd), null, 2)}\n`);
    } else {
      out.stdout(`${formatScan(scan)}\n`);
    }
    return scan.findings.length === 0 ? EXIT.clean : EXIT.findings;
  } catch (e) {
    if (e instanceof ResidencyInputError) {
      out.stderr(`check:residency: ${e.message}\n${USAGE}\n`);
      return EXIT.unusable;
    }
    // A bad option value (a region or host name that is not one) is the caller's to fix, like a bad path.
    if (e instanceof Error && /^(allowedRegions|egressHosts|selfUrlVariables):/.test(e.message)) {
      out.stderr(`check:residency: ${e.message}\n${USAGE}\n`);
      return EXIT.unusable;
    }
    throw e;
  }
}

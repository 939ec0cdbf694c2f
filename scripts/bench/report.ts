/** The one table the bench prints: every figure a ratio against a baseline measured in the same run. */
import * as os from 'node:os';

export interface Row {
  /** What is measured (e.g. `cold import`). */
  readonly measure: string;
  /** Of what (e.g. a function name, a route). */
  readonly subject: string;
  /** The absolute value(s) of the subject. */
  readonly value: string;
  /** The baseline's name and absolute value(s). */
  readonly baseline: string;
  /** subject / baseline. */
  readonly ratio: string;
}

export function machine(): string {
  const cpus = os.cpus();
  const memGiB = (os.totalmem() / 1024 ** 3).toFixed(1);
  return `Machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${memGiB} GiB memory, Node.js ${process.version} (${os.platform()} ${os.arch()})`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function markdownTable(rows: readonly Row[]): string {
  const lines = ['| measure | subject | value | baseline (same run) | ratio |', '|---|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${[r.measure, r.subject, r.value, r.baseline, r.ratio].map(cell).join(' | ')} |`);
  return lines.join('\n');
}

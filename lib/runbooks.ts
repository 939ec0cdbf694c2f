/**
 * The runbooks: one page under `docs/runbooks/` per kind of alarm. Every alarm's description names its page (and
 * links to it when the stage config sets `monitoring.runbookBaseUrl`), so whoever is paged lands on what to do.
 * `test/lib/runbooks.test.ts` fails when an alarm names no page or a page that does not exist.
 */

/** The folder of the runbooks, relative to the repository root. */
export const RUNBOOKS_DIR = 'docs/runbooks';

/** Every runbook page, by name (the file is `docs/runbooks/<name>.md`). */
export const RUNBOOKS = [
  'sign-in-success',
  'provider-errors',
  'provider-latency',
  'synthetic-check',
  'function-errors',
  'authorizer-failures',
  'function-throttles',
  'function-duration',
  'api-errors',
  'api-latency',
  'sessions-table',
  'waf-blocks',
  'restore-test',
  'backup-jobs',
] as const;

/**
 * Pages that are procedures rather than an alarm's page: listed in the index, linked from the alarm pages, named by
 * no alarm.
 */
export const PROCEDURES = ['releasing-during-an-incident'] as const;

export type RunbookName = (typeof RUNBOOKS)[number];

/** The path of a runbook page, relative to the repository root. */
export const runbookPath = (name: RunbookName): string => `${RUNBOOKS_DIR}/${name}.md`;

/** The runbook reference of a notification: the page, then the link when a base URL is configured. */
export function runbookFor(name: RunbookName, baseUrl?: string): string {
  return `${runbookPath(name)}${baseUrl ? ` (${baseUrl}/${name}.md)` : ''}`;
}

/**
 * An alarm description: what fired, then the runbook (`Runbook: docs/runbooks/<name>.md`, followed by the link
 * when a base URL is configured). CloudWatch allows 1024 characters.
 */
export function alarmDescription(summary: string, runbook: RunbookName, baseUrl?: string): string {
  const text = `${summary}. Runbook: ${runbookFor(runbook, baseUrl)}`;
  if (text.length > 1024) throw new Error(`alarmDescription: "${summary.slice(0, 40)}..." is over CloudWatch's 1024 characters`);
  return text;
}

/** The runbook an alarm description names, or undefined. */
export function runbookNamedIn(description: string): string | undefined {
  return /Runbook: docs\/runbooks\/([a-z0-9-]+)\.md/.exec(description)?.[1];
}

import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

/** axe-core from node_modules (no CDN), evaluated in the page by the DevTools protocol, which the page's CSP does not govern. */
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  /** CSS selectors of the offending elements. */
  readonly targets: string[];
}

/**
 * Runs axe-core on the page as it is now, against WCAG 2.0, 2.1 and 2.2 A and AA and axe's best practices, and
 * returns the violations (a test expects `[]`; the list says what failed and where).
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    // Runs in the page (no DOM types in this project): axe-core's global, and the document to check.
    const page = globalThis as unknown as {
      document: unknown;
      axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Array<Record<string, unknown>> }> };
    };
    const result = await page.axe.run(page.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: String(v.id),
      impact: (v.impact as string | null) ?? null,
      help: String(v.help),
      targets: (v.nodes as Array<{ target: unknown[] }>).map((n) => n.target.map(String).join(' ')),
    }));
  });
}

/**
 * The synthetic sign-in check as a CloudWatch Synthetics canary script (a Node.js runtime; the stack bundles this
 * file into `index.mjs` at the root of the canary's code, handler `index.handler`). It uses Node's own `fetch`
 * and nothing of the Synthetics library: a run passes when the handler returns and fails when it throws, and
 * Synthetics records both (`SuccessPercent`). Each step's result goes to the run's log as one JSON line.
 */
import { readSignInCheckSettings } from './settings';
import { describeResult, runSignInCheck, type SignInCheckResult } from './sign-in-check';

export async function handler(): Promise<string> {
  const settings = readSignInCheckSettings(process.env);
  const result: SignInCheckResult = await runSignInCheck({ ...settings, fetch: (url, init) => fetch(url, init) });
  for (const step of result.steps) console.log(JSON.stringify({ event: 'sign_in_check_step', ...step }));
  const summary = describeResult(result);
  if (!result.ok) throw new Error(`Sign-in check failed: ${summary}`);
  return `Sign-in check passed: ${summary}`;
}

/**
 * KMS `Sign` calls per 1,000 API requests to a mount with an HTTP target (`/api/demo`, whose backend gets an
 * identity assertion): counted with the local stack's `onAwsCall` observer, only the calls on the assertion key,
 * for one session and for 20, the requests spread round-robin over the sessions with 10 in flight. The baseline is
 * the fewest signatures the cache allows: one per session and audience per assertion lifetime.
 */
import { SESSION_COOKIE } from '../../lambda/core/cookies';
import type { Lifetime } from './lifetime';
import type { ProbedStack } from './local-stack';
import type { Row } from './report';
import { count, ratio } from './stats';

export interface AssertionCount {
  readonly sessions: number;
  readonly requests: number;
  readonly signs: number;
  readonly failures: number;
}

const IN_FLIGHT = 10;

async function countSigns(probed: ProbedStack, sessions: number, requests: number, life: Lifetime): Promise<AssertionCount> {
  life.check(`the assertion count for ${sessions} sessions`);
  const cookies: string[] = [];
  for (let i = 0; i < sessions; i++) cookies.push(`${SESSION_COOKIE}=${(await probed.signIn()).sessionId}`);
  probed.reset();
  const url = `http://127.0.0.1:${probed.stack.port}/api/demo/bench`;
  let next = 0;
  let failures = 0;
  const worker = async () => {
    for (let i = next++; i < requests; i = next++) {
      const res = await fetch(url, { headers: { cookie: cookies[i % sessions] ?? '', accept: 'application/json' }, signal: AbortSignal.timeout(15_000) });
      const body = (await res.json()) as { verified?: unknown };
      if (res.status !== 200 || body.verified !== true) failures++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const signs = probed.awsCalls.filter((c) => c.action === 'kms:Sign' && c.keyId === probed.stack.assertionKeyArn).length;
  return { sessions, requests, signs, failures };
}

export async function measureAssertionSigns(probed: ProbedStack, life: Lifetime): Promise<AssertionCount[]> {
  return [await countSigns(probed, 1, 1000, life), await countSigns(probed, 20, 1000, life)];
}

export function assertionRows(results: readonly AssertionCount[]): Row[] {
  return results.map((r) => ({
    measure: 'KMS Sign (assertion key) per 1,000 requests',
    subject: `GET /api/demo/…, ${r.sessions} session${r.sessions === 1 ? '' : 's'}, ${IN_FLIGHT} in flight`,
    value: `${count((r.signs * 1000) / r.requests)} (${r.signs} in ${count(r.requests)} requests, ${r.failures} failed)`,
    baseline: `one per session and audience: ${r.sessions}`,
    ratio: ratio(r.signs, r.sessions),
  }));
}

/**
 * Bounded load with autocannon (10 connections, 15 s a target, the session cookie sent): `GET /api/me` (the
 * authorizer, then `me`) and `GET /auth/session` (the session function) on the local front, against a trivial
 * loopback HTTP server answering a small JSON body. Every target is served from this process and loaded from a
 * worker thread of it, so the baselines have the same process set-up as the front. A second baseline answers each
 * request with one GetItem of the same session on the same moto: what the local table alone allows.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import type { Lifetime } from './lifetime';
import type { Row } from './report';
import { count, ms, ratio } from './stats';

export interface LoadResult {
  readonly name: string;
  readonly rps: number;
  readonly p99: number;
  readonly requests: number;
  readonly errors: number;
  readonly statuses: string;
}

export const LOAD = { connections: 10, durationSeconds: 15 } as const;

async function load(name: string, url: string, headers: Record<string, string>, life: Lifetime): Promise<LoadResult> {
  life.check(`load on ${name}`);
  const instance = autocannon({ url, headers, connections: LOAD.connections, duration: LOAD.durationSeconds, workers: 1, timeout: 10 });
  let finished = false;
  // Stopped with everything else should the run fail or time out meanwhile.
  life.own(`autocannon ${name}`, instance, async (i) => {
    if (!finished) i.stop();
  });
  const result: autocannon.Result = await instance;
  finished = true;
  const byStatus = Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [Number(code), Number(s.count)] as const);
  return {
    name,
    rps: result.requests.average,
    p99: result.latency.p99,
    requests: result.requests.total,
    // Connection errors, timeouts, and every answer that is not a 200.
    errors: result.errors + result.timeouts + byStatus.filter(([code]) => code !== 200).reduce((sum, [, n]) => sum + n, 0),
    statuses: byStatus.map(([code, n]) => `${code}×${count(n)}`).join(' '),
  };
}

/** A loopback server in this process; closed with everything else. */
async function serve(name: string, life: Lifetime, answer: (res: ServerResponse) => Promise<void>): Promise<string> {
  const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    answer(res).catch(() => {
      res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  life.own(name, server, (s) => new Promise<void>((resolve) => s.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const json = (res: ServerResponse, value: unknown) => {
  const body = JSON.stringify(value);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

export interface LoadResults {
  readonly trivial: LoadResult;
  readonly getItem: LoadResult;
  readonly targets: readonly LoadResult[];
}

export async function measureLoad(
  front: { readonly port: number; readonly cookie: string; readonly getItem: () => Promise<unknown> },
  life: Lifetime,
): Promise<LoadResults> {
  const trivial = await load('trivial server', await serve('trivial server', life, async (res) => json(res, { ok: true })), {}, life);
  const getItem = await load(
    'GetItem server',
    await serve('GetItem server', life, async (res) => json(res, { item: Boolean(await front.getItem()) })),
    {},
    life,
  );
  const headers = { cookie: front.cookie, accept: 'application/json' };
  const targets = [
    await load('GET /api/me', `http://127.0.0.1:${front.port}/api/me`, headers, life),
    await load('GET /auth/session', `http://127.0.0.1:${front.port}/auth/session`, headers, life),
  ];
  return { trivial, getItem, targets };
}

const summary = (r: LoadResult, figure: string) => `${r.name}: ${figure} (${count(r.requests)} requests, ${r.errors} errors)`;

export function loadRows(r: LoadResults): Row[] {
  return r.targets.flatMap((t) => [
    {
      measure: `requests/s (${LOAD.connections} connections, ${LOAD.durationSeconds} s)`,
      subject: t.name,
      value: `${count(t.rps)} rps (${count(t.requests)} requests, ${t.errors} errors; ${t.statuses})`,
      baseline: `${summary(r.trivial, `${count(r.trivial.rps)} rps`)}; ${summary(r.getItem, `${count(r.getItem.rps)} rps`)}`,
      ratio: `${ratio(t.rps, r.trivial.rps)} of trivial; ${ratio(t.rps, r.getItem.rps)} of GetItem`,
    },
    {
      measure: 'p99 latency under that load',
      subject: t.name,
      value: ms(t.p99),
      baseline: `trivial server: ${ms(r.trivial.p99)}; GetItem server: ${ms(r.getItem.p99)}`,
      ratio: `${ratio(t.p99, r.trivial.p99)} of trivial; ${ratio(t.p99, r.getItem.p99)} of GetItem`,
    },
  ]);
}

import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClientFor, sessionKey, transactionKey } from '../../../lambda/adapters/dynamodb-session-store';
import { KmsAssertionSigner } from '../../../lambda/adapters/kms-signer';
import { SinkLogger } from '../../../lambda/adapters/logger';
import type { FlowDeps } from '../../../lambda/core/flows';
import { hashId } from '../../../lambda/core/ids';
import type { IdentityProvider } from '../../../lambda/core/ports';
import { nhsLoginProviderFor } from '../../../lambda/handlers/nhs-login-runtime';
import type { RuntimeSettings } from '../../../lambda/settings';
import { FUNCTION_NAMES } from '../../../lib/function-table';
import type { FetchLike } from '../../../lambda/adapters/http';
import { LOCAL_TABLE_NAME, startLocalStack, type AwsCall, type LocalStack, type LocalStackOptions } from '../../../local/stack';
import { MOTO_CLIENT_CONFIG } from '../../../local/moto';
import { SIM_USERS } from '../../../local/nhs-login-sim';

/**
 * An integration-test rig around the real local stack: captures every log line the relying party writes, records
 * every secret that passes by (codes, state, nonce, PKCE values, client assertions, tokens, cookie values, NHS
 * numbers) so a test can prove none reached the logs, moves the relying party's clock, and reads the moto table.
 */
export interface Harness {
  readonly stack: LocalStack;
  readonly logs: string[];
  /** Every sign-in metrics document the functions wrote (one EMF JSON line each), in order. */
  readonly emf: string[];
  readonly secrets: Set<string>;
  /** The access, ID and refresh tokens NHS login issued (a subset of `secrets`): none may ever reach a backend. */
  readonly providerTokens: Set<string>;
  /** Every outgoing request of the relying party towards NHS login (path only). */
  readonly outgoing: string[];
  browser(): Browser;
  /** Replaces dependencies of every function (e.g. a store whose DynamoDB is down); returns the undo. */
  replaceDeps(patch: Partial<Pick<FlowDeps, 'store' | 'provider'>>): () => void;
  advanceClock(ms: number): void;
  resetClock(): void;
  items(): Promise<Array<{ pk: string; kind: string }>>;
  sessionCount(): Promise<number>;
  transactionCount(): Promise<number>;
  /** Where the captured metrics documents end now: pass it to `metrics`. */
  emfMark(): number;
  /**
   * The metrics written since `mark`, in order, one entry per value: `Name` for those named by `[stage]` alone,
   * `Name{k=v,...}` with the other dimensions (see `emfMetrics`).
   */
  metrics(mark?: number): string[];
  /** Secrets (of at least 6 characters) found in the captured logs and metrics documents. */
  leakedSecrets(): string[];
  /** Where the captured logs end now: pass it to `reasons` to see only what was logged after. */
  logMark(): number;
  /** The reason codes (`reason`, and the authorizer's `cause`) of the log lines since `mark`, in order. */
  reasons(mark?: number): string[];
  /** One item of the sessions table as stored (`undefined` when there is none). */
  item(pk: string): Promise<Record<string, unknown> | undefined>;
  /** Writes an item into the sessions table as is, past every adapter (e.g. a corrupt session). */
  putItem(item: Record<string, unknown>): Promise<void>;
  /**
   * DynamoDB and KMS stop answering (moto is paused, keeping its data and keys) while `run` runs, and come back
   * after it, whatever it does.
   */
  whileAwsDown<T>(run: () => Promise<T>): Promise<T>;
  /**
   * Pauses moto the moment a call `match` names starts, before its request leaves (e.g. the callback's `kms:Sign`),
   * once. Undo with `stack.moto.resume()`; `cancel` drops the trap if it never fired.
   */
  pauseAwsAt(match: (call: AwsCall) => boolean): { fired(): boolean; cancel(): void };
  /**
   * An NHS login client as a new container has it (no discovery, no JWKS cached), signing with the stack's signing
   * key and seen by the harness's network recorder; `settings` overrides the stack's (e.g. a short `httpTimeoutMs`).
   */
  coldProvider(settings?: Partial<Pick<RuntimeSettings, 'httpTimeoutMs'>>): IdentityProvider;
  stop(): Promise<void>;
}

/** The table key of the session a `__Host-session` value names. */
export const sessionPk = (sessionId: string): string => sessionKey(hashId(sessionId));
/** The table key of the login transaction a `__Host-signin` value names. */
export const transactionPk = (transactionId: string): string => transactionKey(hashId(transactionId));

export async function startHarness(
  options: Pick<LocalStackOptions, 'autoUser' | 'settings' | 'onAwsCall' | 'emulateWaf' | 'extraMounts'> = {},
): Promise<Harness> {
  const logs: string[] = [];
  const emf: string[] = [];
  const secrets = new Set<string>();
  const providerTokens = new Set<string>();
  for (const user of Object.values(SIM_USERS)) {
    const c = user.claims as Record<string, unknown>;
    for (const k of ['nhs_number', 'family_name', 'birthdate', 'given_name', 'email', 'phone_number']) {
      if (typeof c[k] === 'string') secrets.add(c[k] as string);
    }
  }
  let offset = 0;
  const outgoing: string[] = [];
  const recordingFetch: FetchLike = async (url, init) => {
    outgoing.push(new URL(url).pathname);
    if (typeof init.body === 'string' || init.body instanceof URLSearchParams) {
      for (const [k, v] of new URLSearchParams(init.body.toString()))
        if (k !== 'grant_type' && k !== 'client_id' && k !== 'client_assertion_type' && k !== 'redirect_uri') secrets.add(v);
    }
    const headers = new Headers(init.headers as ConstructorParameters<typeof Headers>[0]);
    const auth = headers.get('authorization');
    if (auth) secrets.add(auth.replace(/^(Bearer|DPoP) /i, ''));
    const res = await fetch(url, init);
    if (url.endsWith('/token') && res.ok) {
      // A token response that is not JSON (the `token-garbage` misbehaviour) holds no token, and is the relying
      // party's to refuse: the recorder must not fail the request itself.
      const body = ((await res
        .clone()
        .json()
        .catch(() => ({}))) ?? {}) as Record<string, unknown>;
      for (const k of ['access_token', 'id_token', 'refresh_token']) {
        if (typeof body[k] !== 'string') continue;
        secrets.add(body[k] as string);
        providerTokens.add(body[k] as string);
      }
    }
    return res;
  };
  const traps = new Set<(call: AwsCall) => void>();
  const clock = () => Date.now() + offset;
  const stack = await startLocalStack({
    port: 0,
    autoUser: options.autoUser ?? 'p9',
    logger: SinkLogger.create((line) => logs.push(line), { logLevel: 'DEBUG' }),
    settings: { httpTimeoutMs: 5000, ...options.settings },
    clock,
    fetch: recordingFetch,
    onAwsCall: (call) => {
      options.onAwsCall?.(call);
      for (const trap of [...traps]) trap(call);
    },
    onMetrics: (line) => emf.push(line),
    emulateWaf: options.emulateWaf,
    extraMounts: options.extraMounts,
  });
  const dynamodb = new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint: stack.moto.endpoint });
  const documents = documentClientFor(dynamodb);
  const extraClients: Array<{ destroy(): void }> = [];
  const items = async () => {
    const out = await dynamodb.send(new ScanCommand({ TableName: LOCAL_TABLE_NAME }));
    return (out.Items ?? []).map((i) => ({ pk: i.pk?.S ?? '', kind: i.kind?.S ?? '' }));
  };
  return {
    stack,
    logs,
    emf,
    secrets,
    providerTokens,
    outgoing,
    browser: () => new Browser(stack.port, secrets),
    replaceDeps: (patch) => {
      const saved = FUNCTION_NAMES.map((fn) => [stack.depsFor(fn), { store: stack.depsFor(fn).store, provider: stack.depsFor(fn).provider }] as const);
      for (const [deps] of saved) Object.assign(deps, patch);
      return () => {
        for (const [deps, original] of saved) Object.assign(deps, original);
      };
    },
    advanceClock: (ms) => {
      offset += ms;
    },
    resetClock: () => {
      offset = 0;
    },
    items,
    sessionCount: async () => (await items()).filter((i) => i.kind === 'session').length,
    transactionCount: async () => (await items()).filter((i) => i.kind === 'transaction').length,
    leakedSecrets: () => {
      const text = `${logs.join('\n')}\n${emf.join('\n')}\n${stack.simulator
        .output()
        .split('\n')
        .filter((l) => !l.startsWith('[nhs-login-sim]'))
        .join('\n')}`;
      return [...secrets].filter((s) => s.length >= 6 && text.includes(s));
    },
    logMark: () => logs.length,
    emfMark: () => emf.length,
    metrics: (mark = 0) => emf.slice(mark).flatMap((line) => emfMetrics(line)),
    reasons: (mark = 0) =>
      logs.slice(mark).flatMap((line) => {
        let fields: { reason?: unknown; cause?: unknown };
        try {
          fields = JSON.parse(line) as typeof fields;
        } catch {
          return [];
        }
        return [fields.reason, fields.cause].filter((v): v is string => typeof v === 'string');
      }),
    item: async (pk) => (await documents.send(new GetCommand({ TableName: LOCAL_TABLE_NAME, Key: { pk }, ConsistentRead: true }))).Item,
    putItem: async (item) => {
      await documents.send(new PutCommand({ TableName: LOCAL_TABLE_NAME, Item: item }));
    },
    whileAwsDown: async (run) => {
      stack.moto.pause();
      try {
        return await run();
      } finally {
        await stack.moto.resume();
      }
    },
    pauseAwsAt: (match) => {
      let fired = false;
      const trap = (call: AwsCall) => {
        if (fired || !match(call)) return;
        fired = true;
        traps.delete(trap);
        stack.moto.pause();
      };
      traps.add(trap);
      return { fired: () => fired, cancel: () => traps.delete(trap) };
    },
    coldProvider: (overrides = {}) => {
      const kms = new KMSClient({ ...MOTO_CLIENT_CONFIG, endpoint: stack.moto.endpoint });
      extraClients.push(kms);
      const settings = { ...stack.settings, ...overrides };
      return nhsLoginProviderFor(settings, new KmsAssertionSigner(kms, settings.signingKeyId), { clock, fetch: recordingFetch });
    },
    stop: async () => {
      traps.clear();
      for (const c of extraClients) c.destroy();
      dynamodb.destroy();
      await stack.stop();
    },
  };
}

/**
 * The metrics of one EMF document, one entry per value, as `Name` (named by `[stage]` alone) or `Name{k=v,...}`
 * (the other dimensions, in the document's order). Throws unless the document is well formed: namespace
 * `NhsLoginRp`, one dimension set that starts with `stage` and names exactly the document's dimension properties,
 * no `service`, and no property that is neither a dimension, a metric nor `_aws`.
 */
export function emfMetrics(line: string): string[] {
  const doc = JSON.parse(line) as Record<string, unknown> & {
    _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  };
  const [directive, ...more] = doc._aws.CloudWatchMetrics;
  if (!directive || more.length) throw new Error(`Expected one metric directive: ${line}`);
  if (directive.Namespace !== 'NhsLoginRp') throw new Error(`Wrong namespace: ${line}`);
  const [dimensions, ...otherSets] = directive.Dimensions;
  if (!dimensions || otherSets.length || dimensions[0] !== 'stage' || dimensions.includes('service')) throw new Error(`Wrong dimension set: ${line}`);
  const names = directive.Metrics.map((m) => m.Name);
  const unexpected = Object.keys(doc).filter((k) => k !== '_aws' && !dimensions.includes(k) && !names.includes(k));
  if (unexpected.length) throw new Error(`Unexpected properties ${unexpected.join(', ')}: ${line}`);
  const labels = dimensions.slice(1).map((k) => `${k}=${String(doc[k])}`);
  return names.flatMap((name) => {
    const value = doc[name];
    const count = Array.isArray(value) ? value.length : 1;
    return Array.from({ length: count }, () => (labels.length ? `${name}{${labels.join(',')}}` : name));
  });
}

export interface Hop {
  status: number;
  url: URL;
  location?: string;
}

export interface Page {
  status: number;
  url: URL;
  body: string;
  headers: Headers;
  hops: Hop[];
}

/**
 * A minimal browser: a cookie jar per port (the front and the simulator), manual redirects, and `localhost`
 * mapped to 127.0.0.1. Every protocol value and cookie value it sees is recorded as a secret.
 */
export class Browser {
  readonly jar = new Map<string, Map<string, string>>();

  constructor(
    readonly frontPort: number,
    private readonly secrets: Set<string>,
  ) {}

  get origin(): string {
    return `http://localhost:${this.frontPort}`;
  }

  cookie(name: string): string | undefined {
    return this.jar.get(String(this.frontPort))?.get(name);
  }

  setCookie(name: string, value: string): void {
    this.jarFor(String(this.frontPort)).set(name, value);
  }

  private jarFor(port: string): Map<string, string> {
    const existing = this.jar.get(port);
    if (existing) return existing;
    const created = new Map<string, string>();
    this.jar.set(port, created);
    return created;
  }

  deleteCookie(name: string): void {
    this.jar.get(String(this.frontPort))?.delete(name);
  }

  resolve(target: string | URL): URL {
    const url = new URL(target, this.origin);
    return url;
  }

  /** One request, no redirect following. */
  async request(
    target: string | URL,
    init: { method?: string; headers?: Record<string, string>; body?: string; cookies?: 'jar' | 'none' | string } = {},
  ): Promise<Page> {
    const url = this.resolve(target);
    this.record(url);
    const wire = new URL(url);
    if (wire.hostname === 'localhost') wire.hostname = '127.0.0.1';
    const headers: Record<string, string> = { ...init.headers };
    const jar = this.jar.get(wire.port) ?? new Map<string, string>();
    const cookieHeader =
      init.cookies === undefined || init.cookies === 'jar' ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : init.cookies === 'none' ? '' : init.cookies;
    if (cookieHeader) headers.cookie = cookieHeader;
    const res = await fetch(wire, { method: init.method ?? 'GET', headers, body: init.body, redirect: 'manual' });
    for (const sc of res.headers.getSetCookie()) {
      const [pair, ...attrs] = sc.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value.length >= 6) this.secrets.add(value);
      const j = this.jarFor(wire.port);
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || attrs.some((a) => /expires=thu, 01 jan 1970/i.test(a))) j.delete(name);
      else j.set(name, value);
    }
    const location = res.headers.get('location') ?? undefined;
    if (location) this.record(new URL(location, url));
    return { status: res.status, url, body: await res.text(), headers: res.headers, hops: [{ status: res.status, url, location }] };
  }

  /**
   * Follows redirects (at most 20) until a page, or until `stopBefore` matches the next URL. `headers` go with every
   * request (e.g. the `Accept` a browser sends when it navigates).
   */
  async follow(
    target: string | URL,
    options: { stopBefore?: (url: URL) => boolean; cookies?: 'jar' | 'none' | string; headers?: Record<string, string> } = {},
  ): Promise<Page & { next?: URL }> {
    let url = this.resolve(target);
    const hops: Hop[] = [];
    for (let i = 0; i < 20; i++) {
      if (i > 0 && options.stopBefore?.(url)) {
        const last = hops.at(-1)!;
        return { status: last.status, url: last.url, body: '', headers: new Headers(), hops, next: url };
      }
      const page = await this.request(url, { cookies: options.cookies, headers: options.headers });
      hops.push(...page.hops);
      if (page.status >= 300 && page.status < 400 && page.headers.get('location')) {
        url = new URL(page.headers.get('location')!, url);
        continue;
      }
      return { ...page, hops };
    }
    throw new Error(`More than 20 redirects: ${hops.map((h) => `${h.status} ${h.url.pathname}`).join(' -> ')}`);
  }

  /** Signs in through the whole flow; returns the final page. */
  signIn(query = 'assurance=high'): Promise<Page> {
    return this.follow(`/auth/login?${query}`);
  }

  private record(url: URL): void {
    for (const k of ['code', 'state', 'nonce', 'code_challenge', 'asserted_login_identity', 'assertedLoginIdentity']) {
      const v = url.searchParams.get(k);
      if (v && v.length >= 6) this.secrets.add(v);
    }
  }
}

/** The authorize requests among a flow's hops. */
export const authorizeHops = (page: Page): URL[] => page.hops.filter((h) => h.url.pathname === '/authorize').map((h) => h.url);

/** Asserts the user saw one of our accessible pages. */
export function expectClearPage(page: Page, status: number, heading: RegExp): void {
  expect(page.status).toBe(status);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.body).toContain('<html lang="en-GB">');
  expect(page.body).toMatch(heading);
  expect(page.body).not.toMatch(/\bat .+\.(ts|js):\d+/);
  expect(page.body).not.toMatch(/Error:/);
}

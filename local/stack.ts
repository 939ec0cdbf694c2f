import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { loadStageConfig, type StageConfig } from '../config';
import { mountSchema, type Mount, type MountInput } from '../config/mounts';
import type { FunctionName } from '../lib/function-table';
import { runtimeSettingsFor, serviceOriginOf } from '../lib/runtime-settings';
import { startDemoBackend, type DemoBackend } from './demo-backend';
import { MOTO_CLIENT_CONFIG, startMoto, type MotoServer } from './moto';
import { startNhsLoginSimulator, type RunningSimulator, type SimUserId } from './nhs-login-sim';
import { SETTINGS_PATH } from './nhs-login-sim/settings';
import { checkOtherProvider, LocalUsageError, type OtherProvider } from './provider-choice';
import { SESSION_TABLE_SCHEMA } from '../lambda/adapters/session-table-schema';
import type { FetchLike } from '../lambda/adapters/http';
import { createSinkMetrics } from '../lambda/adapters/metrics';
import { KmsAssertionSigner, spkiDerToPem } from '../lambda/adapters/kms-signer';
import type { FlowDeps } from '../lambda/core/flows';
import type { AppLogger } from '../lambda/core/ports';
import { buildDepsFor } from '../lambda/handlers/runtime';
import { parseRuntimeSettings, type RuntimeSettings } from '../lambda/settings';
import { startLocalFront, type LocalFront } from './front';

/**
 * The local stack (docs/design.md, "Local stack": a contract): moto (KMS and DynamoDB), the NHS login simulator registered
 * with the public key of a KMS signing key, the demo backend behind the local stage's mounts, and the local front
 * running the real handlers. Everything on loopback. Used by `npm run local` and by the integration tests (each
 * starts its own on free ports).
 *
 * With `provider`, another OpenID provider configured like NHS login takes the simulator's place and nothing else
 * changes. The signing key only exists once the stack has started, so whoever starts it registers
 * `signingKeyPem`, `clientId` and `redirectUri` of the returned stack with that provider before anyone signs in
 * (the relying party reads the provider's discovery document at the first sign-in, not at start).
 */
export interface LocalStackOptions {
  /** Port of the front. 0 lets the OS pick a free one. @default 3000 */
  port?: number;
  /** Sign this simulator user in without a page (the simulator only: not with `provider`). */
  autoUser?: SimUserId;
  /**
   * Sign in with this provider instead of starting the simulator. Its issuer must be https, or http on 127.0.0.1 or
   * localhost; its ID tokens must carry `vtm` = `<issuer>/trustmark/<issuer host>`.
   */
  provider?: OtherProvider;
  logger: AppLogger;
  /**
   * Overrides of the local stage's runtime settings (e.g. a short `httpTimeoutMs`). `protectedRoutes` is merged over
   * the stage's own (its session routes and mounts), so a test can tighten `/api/me` and keep the mounts.
   */
  settings?: Partial<
    Pick<RuntimeSettings, 'httpTimeoutMs' | 'protectedRoutes' | 'sessionIdleMinutes' | 'sessionAbsoluteMinutes' | 'pkce' | 'assertionLifetimeSeconds'>
  >;
  /** Refuse requests carrying `x-nhs-login-*` headers before routing, as the WAF rule does. @default true */
  emulateWaf?: boolean;
  /** Mounts besides the local stage's (e.g. a `public` one in a test); loopback HTTP targets go to the demo backend. */
  extraMounts?: readonly MountInput[];
  clock?: () => number;
  /** Network seam towards the provider (tests observe token responses through it). */
  fetch?: FetchLike;
  /** Told of every AWS call a function makes (e.g. `login`, `dynamodb:PutItem`), as its IAM policy would see it. */
  onAwsCall?: (call: AwsCall) => void;
  /**
   * Told of every sign-in metrics document the functions write (one CloudWatch embedded metric format JSON line, as
   * Lambda would write it to the function's log), in the order written; `npm run local` prints them.
   * @default the documents are dropped
   */
  onMetrics?: (emfLine: string) => void;
}

/** One AWS API call made by one function, named as IAM names the action, with the resource the request named. */
export interface AwsCall {
  readonly fn: FunctionName;
  readonly action: string;
  /** The request's `KeyId` (KMS calls): tells the signing key from the assertion key. */
  readonly keyId?: string;
  /** The request's `TableName` (DynamoDB calls). */
  readonly tableName?: string;
}

/** The running stack; `Simulator` is `undefined` when it was started against another provider. */
export interface LocalStack<Simulator extends RunningSimulator | undefined = RunningSimulator> {
  readonly frontUrl: string;
  readonly port: number;
  /** The simulator's issuer, or the other provider's. */
  readonly issuer: string;
  /** The client ID the relying party uses at the provider. */
  readonly clientId: string;
  /** `http://localhost:<port>/auth/callback`: the redirect URI to register with the provider. */
  readonly redirectUri: string;
  readonly moto: MotoServer;
  readonly simulator: Simulator;
  readonly settings: RuntimeSettings;
  /** Each function's dependencies (its own SDK clients, as separate Lambda functions have). */
  depsFor(fn: FunctionName): FlowDeps;
  readonly signingKeyArn: string;
  /** SPKI PEM of the signing key: the public key to register with the provider (the simulator has it already). */
  readonly signingKeyPem: string;
  /** The ECC_NIST_P256 key the authorizer signs identity assertions with (ES256). */
  readonly assertionKeyArn: string;
  /** The local stage's mounts, their targets pointing at the demo backend. */
  readonly mounts: readonly Mount[];
  readonly demoBackend: DemoBackend;
  stop(): Promise<void>;
}

export const LOCAL_TABLE_NAME = 'nhs-login-rp-local-sessions';

/** Creates the sessions table exactly as the CDK construct does (same key schema module) in an emulator. */
export async function createSessionTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  const pk = SESSION_TABLE_SCHEMA.partitionKey;
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: pk.name, AttributeType: pk.type }],
      KeySchema: [{ AttributeName: pk.name, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await dynamodb.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: SESSION_TABLE_SCHEMA.timeToLiveAttribute, Enabled: true },
    }),
  );
}

/** Creates an `RSA_2048` `SIGN_VERIFY` key, as the stateful stack does, and returns its ARN. */
export async function createSigningKey(kms: KMSClient): Promise<string> {
  const out = await kms.send(
    new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', Description: 'NHS login client assertion signing key (local)' }),
  );
  if (!out.KeyMetadata?.Arn) throw new Error('KMS CreateKey returned no ARN');
  return out.KeyMetadata.Arn;
}

/** Creates an `ECC_NIST_P256` `SIGN_VERIFY` key (ES256) for identity assertions, as the stateful stack does, and returns its ARN. */
export async function createAssertionKey(kms: KMSClient): Promise<string> {
  const out = await kms.send(
    new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'NHS login relying party identity assertion key (local)' }),
  );
  if (!out.KeyMetadata?.Arn) throw new Error('KMS CreateKey returned no ARN');
  return out.KeyMetadata.Arn;
}

/** The mounts with every loopback HTTP target moved to the demo backend's port (the stage file names a placeholder). */
export function mountsOnDemoBackend(mounts: readonly Mount[], demoPort: number): Mount[] {
  return mounts.map((m) => {
    if (m.target.type !== 'http') return m;
    const url = new URL(m.target.url);
    if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') return m;
    url.port = String(demoPort);
    return { ...m, target: { ...m.target, url: url.href.replace(/\/$/, '') } };
  });
}

/**
 * `startMoto` picks a free port and then starts Python on it; another process can take the port in between.
 * A bounded retry turns that rare race into a non-event.
 */
async function startMotoWithRetry(attempts = 3): Promise<MotoServer> {
  for (let i = 1; ; i++) {
    try {
      return await startMoto();
    } catch (err) {
      if (i >= attempts) throw err;
    }
  }
}

/** Adds a middleware that names each call the client sends (`GetItemCommand` -> `dynamodb:GetItem`) and its key or table. */
function reportingCalls<C extends DynamoDBClient | KMSClient>(client: C, service: 'dynamodb' | 'kms', fn: FunctionName, onCall?: (call: AwsCall) => void): C {
  if (!onCall) return client;
  (client.middlewareStack as DynamoDBClient['middlewareStack']).add(
    (next, context) => (args) => {
      const input = (args.input ?? {}) as { KeyId?: unknown; TableName?: unknown };
      onCall({
        fn,
        action: `${service}:${String(context.commandName).replace(/Command$/, '')}`,
        ...(typeof input.KeyId === 'string' ? { keyId: input.KeyId } : {}),
        ...(typeof input.TableName === 'string' ? { tableName: input.TableName } : {}),
      });
      return next(args);
    },
    { step: 'initialize', name: 'reportAwsCall' },
  );
  return client;
}

export function startLocalStack(options: LocalStackOptions & { provider: OtherProvider }): Promise<LocalStack<undefined>>;
export function startLocalStack(options: LocalStackOptions & { provider?: undefined }): Promise<LocalStack>;
export function startLocalStack(options: LocalStackOptions): Promise<LocalStack<RunningSimulator | undefined>>;
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack<RunningSimulator | undefined>> {
  // Refused before anything starts: a provider the local stack must not talk to, or a simulator option without it.
  const provider = options.provider && checkOtherProvider(options.provider);
  if (provider && options.autoUser) throw new LocalUsageError('autoUser is a simulator user: it cannot be combined with provider');
  const stoppers: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
    stoppers.length = 0;
  };
  try {
    const moto = await startMotoWithRetry();
    stoppers.push(() => moto.stop());
    const aws = { ...MOTO_CLIENT_CONFIG, endpoint: moto.endpoint };
    const kms = new KMSClient(aws);
    const dynamodb = new DynamoDBClient(aws);
    const signingKeyArn = await createSigningKey(kms);
    const assertionKeyArn = await createAssertionKey(kms);
    await createSessionTable(dynamodb, LOCAL_TABLE_NAME);
    const signingKeyPem = spkiDerToPem(await new KmsAssertionSigner(kms, signingKeyArn).publicKeyDer());
    kms.destroy();
    dynamodb.destroy();

    // The demo backend listens first, so the mounts can point at its port before the front routes them.
    const demoBackend = await startDemoBackend({ clock: options.clock });
    stoppers.push(() => demoBackend.stop());
    const base = loadStageConfig('local');
    const mounts = mountsOnDemoBackend([...base.mounts, ...(options.extraMounts ?? []).map((m) => mountSchema.parse(m))], demoBackend.port);

    // The front listens first (port 0: the OS picks a free one, no race), so the redirect URI is known before the
    // provider registers it; requests before the dependencies exist cannot happen (nothing knows the URL yet).
    let depsFor: ((fn: FunctionName) => FlowDeps) | undefined;
    const front: LocalFront = await startLocalFront(
      (fn) => {
        if (!depsFor) throw new Error('The local stack is still starting');
        return depsFor(fn);
      },
      { port: options.port ?? 3000, logger: options.logger, mounts, emulateWaf: options.emulateWaf },
    );
    stoppers.push(() => front.stop());
    const port = front.port;
    const redirectUri = `http://localhost:${port}/auth/callback`;
    const clientId = provider?.clientId ?? base.nhsLogin.clientId;
    let simulator: RunningSimulator | undefined;
    let issuer: string;
    if (provider) issuer = provider.issuer;
    else {
      const started = await startNhsLoginSimulator({
        clientId,
        redirectUris: [redirectUri],
        clientPublicKeyPem: signingKeyPem,
        scopes: [...base.nhsLogin.scopes],
        ...(options.autoUser ? { autoUser: options.autoUser } : {}),
      });
      stoppers.push(() => started.stop());
      simulator = started;
      issuer = started.issuer;
    }

    const config: StageConfig = { ...base, mounts, nhsLogin: { ...base.nhsLogin, issuer, clientId, redirectUri } };
    const stageSettings = runtimeSettingsFor(config, {
      sessionTableName: LOCAL_TABLE_NAME,
      signingKeyId: signingKeyArn,
      assertionKeyId: assertionKeyArn,
      // "Manage your NHS login" goes to the simulator's settings page, which verifies the assertion.
      ...(simulator ? { nhsLoginSettingsUrl: `${simulator.issuer}${SETTINGS_PATH}` } : {}),
    });
    const settings = parseRuntimeSettings({
      ...stageSettings,
      ...options.settings,
      protectedRoutes: { ...stageSettings.protectedRoutes, ...options.settings?.protectedRoutes },
    });
    // The assertions' issuer and audiences, exactly as the authorizer is configured with them.
    demoBackend.trust({
      issuer: serviceOriginOf(config),
      jwksUrl: `http://127.0.0.1:${port}/auth/jwks.json`,
      audiences: [...new Set(Object.values(settings.protectedRoutes).flatMap((r) => (r.audience ? [r.audience] : [])))],
    });
    const built = new Map<FunctionName, FlowDeps>();
    const clients: Array<{ destroy(): void }> = [];
    stoppers.push(async () => {
      for (const c of clients) c.destroy();
    });
    depsFor = (fn) => {
      let deps = built.get(fn);
      if (!deps) {
        const fnDynamodb = reportingCalls(new DynamoDBClient(aws), 'dynamodb', fn, options.onAwsCall);
        const fnKms = reportingCalls(new KMSClient(aws), 'kms', fn, options.onAwsCall);
        clients.push(fnDynamodb, fnKms);
        deps = buildDepsFor(fn, settings, {
          logger: options.logger,
          // Each function its own instance, as each Lambda function has; what they write goes to one observer.
          metrics: createSinkMetrics(settings.stage, (line) => options.onMetrics?.(line), options.logger),
          clock: options.clock,
          fetch: options.fetch,
          clients: { dynamodb: fnDynamodb, kms: fnKms },
        });
        built.set(fn, deps);
      }
      return deps;
    };

    let stopping: Promise<void> | undefined;
    return {
      frontUrl: front.url,
      port: front.port,
      issuer,
      clientId,
      redirectUri,
      moto,
      simulator,
      settings,
      depsFor,
      signingKeyArn,
      signingKeyPem,
      assertionKeyArn,
      mounts,
      demoBackend,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

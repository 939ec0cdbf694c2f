/**
 * Starts the NHS login simulator in a child process and controls it.
 *
 * The simulator runs in its own process because oidc-provider is ESM-only and, inside Jest, Jest's
 * `structuredClone` breaks its JWKS validation. This module only uses Node built-ins so that Jest, tsx and
 * bin/ entry points can all load it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ADMIN_PATHS, EXIT_WITH_PARENT_ENV, OPTIONS_ENV, READY_PREFIX, type Misbehaviour, type SimUserId, type SimulatorOptions } from './contract';

export {
  ADMIN_PATHS,
  MISBEHAVIOURS,
  SIM_USER_IDS,
  USER_FIELD,
  type Misbehaviour,
  type SimUserId,
  type SimulatorOptions,
} from './contract';
export { SIM_USERS, type SimUser } from './users';
export { DEFAULT_VTR } from './vectors';

export interface RunningSimulator {
  /** `http://127.0.0.1:<port>`, no trailing slash: discovery is at `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  /** Switches a misbehaviour on (`null`: behave correctly again). */
  setMisbehaviour(m: Misbehaviour | null): Promise<void>;
  /** Signs this user in without a page from now on (`null`: show the user-choice page). */
  setAutoUser(user: SimUserId | null): Promise<void>;
  /** Every line the simulator processes printed (for log-leak assertions). */
  output(): string;
  /**
   * NHS login goes down: the process is stopped and connections to the issuer's port are refused until `bringUp`.
   * The admin calls above fail meanwhile.
   */
  takeDown(): Promise<void>;
  /**
   * NHS login comes back: a new process on the same port with the same options. Like a restarted server it keeps
   * nothing: a new signing key (the JWKS changes), no sign-in sessions or codes, no misbehaviour, the configured
   * auto user. A no-op when it is up.
   */
  bringUp(): Promise<void>;
  /** Kills the child process and waits for it to exit; idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** How long to wait for the ready line. @default 30000 */
  readonly startTimeoutMs?: number;
}

// `__filename`, not `__dirname`: tsx gives a wrong `__dirname` to CommonJS files imported from ES modules.
const HERE = dirname(__filename);
const SERVER_ENTRY = resolve(HERE, 'server.ts');
// tsx reads the project's tsconfig.json from the working directory.
const PROJECT_ROOT = resolve(HERE, '..', '..');
// Resolved here rather than by name in the child, so the child's working directory does not matter to it.
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every simulator still running when this process exits, so none is orphaned. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** One simulator process: its issuer once it is ready, and how to stop it. */
interface SimulatorProcess {
  readonly issuer: string;
  stop(): Promise<void>;
}

function spawnSimulator(options: SimulatorOptions, startTimeoutMs: number, print: (chunk: string) => void): Promise<SimulatorProcess> {
  installExitHook();
  const child = spawn(process.execPath, ['--import', TSX_LOADER, SERVER_ENTRY], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, [OPTIONS_ENV]: JSON.stringify(options), [EXIT_WITH_PARENT_ENV]: '1' },
    // stdin stays open as a lifeline: the simulator exits when it closes (see server.ts).
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);

  let output = '';
  const exited = new Promise<void>((done) => {
    child.once('exit', () => {
      running.delete(child);
      done();
    });
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.kill('SIGTERM');
        await exited;
        clearTimeout(timer);
      }
    })());

  return new Promise<string>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`NHS login simulator not ready within ${startTimeoutMs} ms:\n${output}`)), startTimeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      print(chunk.toString());
      const line = output.split('\n').find((l) => l.includes(READY_PREFIX));
      if (line) {
        clearTimeout(timer);
        ready(line.slice(line.indexOf(READY_PREFIX) + READY_PREFIX.length).trim());
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      print(chunk.toString());
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`NHS login simulator exited (${signal ?? code}) before it was ready:\n${output}`));
    });
  }).then(
    (issuer) => ({ issuer, stop }),
    async (err: unknown) => {
      await stop();
      throw err;
    },
  );
}

export async function startNhsLoginSimulator(options: SimulatorOptions, start: StartOptions = {}): Promise<RunningSimulator> {
  const startTimeoutMs = start.startTimeoutMs ?? 30_000;
  let output = '';
  const print = (chunk: string) => {
    output += chunk;
  };
  let current: SimulatorProcess | undefined = await spawnSimulator(options, startTimeoutMs, print);
  const issuer = current.issuer;
  let stopped = false;
  let switching: Promise<void> = Promise.resolve();
  /** Runs process changes one at a time, in the order asked. */
  const serially = (change: () => Promise<void>) => {
    const next = switching.then(change);
    switching = next.catch(() => undefined);
    return next;
  };

  async function admin(path: string, body: unknown): Promise<void> {
    const res = await fetch(`${issuer}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 204) throw new Error(`NHS login simulator refused ${path}: ${res.status} ${await res.text()}`);
  }

  return {
    issuer,
    setMisbehaviour: (m) => admin(ADMIN_PATHS.misbehaviour, { misbehaviour: m }),
    setAutoUser: (user) => admin(ADMIN_PATHS.autoUser, { user }),
    output: () => output,
    takeDown: () =>
      serially(async () => {
        const was = current;
        current = undefined;
        await was?.stop();
      }),
    bringUp: () =>
      serially(async () => {
        if (stopped) throw new Error('The NHS login simulator was stopped');
        if (current) return;
        const port = Number(new URL(issuer).port);
        // The port was free a moment ago; if something took it meanwhile, the new process fails to listen: retry.
        for (let attempt = 1; ; attempt++) {
          try {
            current = await spawnSimulator({ ...options, port }, startTimeoutMs, print);
            return;
          } catch (err) {
            if (attempt >= 3) throw err;
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      }),
    stop: () =>
      serially(async () => {
        stopped = true;
        const was = current;
        current = undefined;
        await was?.stop();
      }),
  };
}

/**
 * An `asserted_login_identity` as the NHS App would pass it, naming a test user. The simulator reads the user
 * from `sub` and does not check the signature (it holds no NHS App key), so the signature here is filler.
 */
export function assertedLoginIdentityFor(user: SimUserId): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return [
    part({ alg: 'RS512', typ: 'JWT' }),
    part({ iss: 'nhs-app', sub: user, code: randomUUID(), jti: randomUUID(), iat: now, exp: now + 60 }),
    Buffer.from(randomUUID()).toString('base64url'),
  ].join('.');
}

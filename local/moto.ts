import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A running moto_server on loopback: point AWS SDK clients at `endpoint`. */
export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  /**
   * Freezes the process (SIGSTOP to its process group) as an AWS endpoint that stops answering: it keeps its port,
   * its data and its keys, the kernel still accepts connections, and no request gets an answer until `resume`.
   */
  pause(): void;
  /** Continues a paused server (SIGCONT) and waits until it answers again. A no-op when it is not paused. */
  resume(): Promise<void>;
  /** Stops the server (a paused one too) and waits for the process to exit. Safe to call twice. */
  stop(): Promise<void>;
}

/** Credentials and region for SDK clients talking to moto (moto accepts any credentials). */
export const MOTO_CLIENT_CONFIG = {
  region: 'eu-west-2',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
} as const;

/** Finds a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `moto_server` on 127.0.0.1 and a free port, and waits until it answers.
 * moto 5 must be on PATH (it is pre-installed on the project's machines; `.ci/run` checks).
 */
export async function startMoto(options: { timeoutMs?: number } = {}): Promise<MotoServer> {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  let paused = false;
  const signalGroup = (sig: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  const unpause = () => {
    if (!paused) return;
    signalGroup('SIGCONT');
    paused = false;
    pausedServers.delete(unpause);
  };
  const stop = once(() => {
    // A stopped process would hold SIGTERM until continued: continue it first.
    unpause();
    return killTree(child);
  });
  const waitReady = async (timeoutMs: number, starting: boolean) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`moto_server exited with ${child.exitCode} before it was ready: ${stderr.trim()}`);
      }
      try {
        const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } catch {
        // not listening yet (or not answering yet)
      }
      if (Date.now() > deadline) {
        if (starting) await stop();
        throw new Error(`moto_server did not answer on ${endpoint} within the timeout: ${stderr.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await waitReady(options.timeoutMs ?? 30_000, true);
  return {
    endpoint,
    port,
    pause: () => {
      if (paused || child.exitCode !== null || child.signalCode !== null) return;
      installExitHook();
      signalGroup('SIGSTOP');
      paused = true;
      pausedServers.add(unpause);
    },
    resume: async () => {
      unpause();
      await waitReady(10_000, false);
    },
    stop,
  };
}

/** Servers paused right now: continued if this process exits first, so no frozen moto outlives it. */
const pausedServers = new Set<() => void>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const unpause of [...pausedServers]) unpause();
  });
}

/** Resets moto's state (every service) between tests. */
export async function resetMoto(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`moto reset failed: ${res.status}`);
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}

/** Kills a detached child's whole process group (moto_server is a shim that starts python). */
export function killTree(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    const pid = child.pid;
    if (child.exitCode !== null || child.signalCode !== null || pid === undefined) return resolve();
    const group = -pid;
    const timer = setTimeout(() => signal('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    signal('SIGTERM');
    function signal(sig: NodeJS.Signals) {
      try {
        process.kill(group, sig);
      } catch {
        try {
          child.kill(sig);
        } catch {
          // already gone
        }
      }
    }
  });
}

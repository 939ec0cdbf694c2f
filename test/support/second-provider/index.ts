/**
 * Starts the second provider (server.ts) in a child process, as the simulator is started: oidc-provider is
 * ESM-only and misbehaves inside Jest. Node built-ins only, so Jest loads this file.
 */
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { READY_PREFIX, REGISTER_PATH, type ClientRegistration } from './contract';

export { SECOND_ACCOUNT, SECOND_SCOPES, type ClientRegistration } from './contract';

export interface SecondProvider {
  /** `http://127.0.0.1:<port>`. */
  readonly issuer: string;
  /** Registers the relying party (its client ID, redirect URI and public key PEM); again replaces it. */
  register(client: ClientRegistration): Promise<void>;
  /** Everything the process printed. */
  output(): string;
  /** Stops the process and waits for it to exit; safe to call twice. */
  stop(): Promise<void>;
}

// `__filename`, not `__dirname`: tsx gives CommonJS files imported from ES modules a wrong `__dirname`.
const HERE = dirname(__filename);

export async function startSecondProvider(timeoutMs = 30_000): Promise<SecondProvider> {
  const child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, resolve(HERE, 'server.ts')], {
    // tsx reads the project's tsconfig.json from the working directory.
    cwd: resolve(HERE, '..', '..', '..'),
    // stdin is the lifeline: the process exits when it closes.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(kill);
  };
  const ready = new Promise<string>((resolveIssuer, reject) => {
    const timer = setTimeout(() => reject(new Error(`the second provider did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const at = output.indexOf(READY_PREFIX);
      const end = output.indexOf('\n', at);
      if (at < 0 || end < 0) return;
      clearTimeout(timer);
      resolveIssuer(output.slice(at + READY_PREFIX.length, end).trim());
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the second provider exited before it was ready:\n${output}`));
    });
  });
  let issuer: string;
  try {
    issuer = await ready;
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    issuer,
    register: async (client) => {
      const res = await fetch(`${issuer}${REGISTER_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(client) });
      if (res.status !== 204) throw new Error(`the second provider refused the registration: ${res.status} ${await res.text()}`);
    },
    output: () => output,
    stop,
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { killTree } from '../../local/moto';

/** `npm run local` (as `node --import tsx bin/local.ts`, without npm's own output) in a process group of its own. */
export interface LocalCommand {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves with the output once it includes `text`; rejects if the command exits first or the time runs out. */
  waitFor(text: string, timeoutMs?: number): Promise<string>;
  /** The exit code (`null` after a signal), once the process has exited and its output is all read. */
  readonly exited: Promise<number | null>;
  /** Kills the whole group (moto and the simulator too) and waits; safe to call twice. */
  kill(): Promise<void>;
}

/** Variables of the command that the test runner's own environment must not leak into a run. */
const COMMAND_VARIABLES = ['PORT', 'NHS_LOGIN_SIM_AUTO_USER', 'NHS_LOGIN_ISSUER', 'NHS_LOGIN_CLIENT_ID'];

export function runLocalCommand(env: Record<string, string>): LocalCommand {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !COMMAND_VARIABLES.includes(k)));
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    waitFor: async (text, timeoutMs = 45_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes(text)) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm run local did not print "${text}":\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return output;
    },
    kill: () => killTree(child),
  };
}

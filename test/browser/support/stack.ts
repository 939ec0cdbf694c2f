import { SinkLogger } from '../../../lambda/adapters/logger';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../../local/stack';

export interface BrowserStack {
  readonly stack: LocalStack;
  /** `http://localhost:<port>`: the service's origin as the browser sees it. */
  readonly origin: string;
  /** The simulator's origin (NHS login's place): the only other origin a page may send the browser to. */
  readonly nhsLoginOrigin: string;
  /** Every log line the relying party wrote (JSON), for a test that wants to look. */
  readonly logs: string[];
  /** Moves the relying party's and the demo backend's clock on (the session's idle and absolute deadlines). */
  advanceClock(ms: number): void;
  resetClock(): void;
  stop(): Promise<void>;
}

/**
 * The local stack for the browser tests: free ports, logs kept in memory, and a clock the tests can move
 * (`advanceClock`) so timeouts can be reached without waiting.
 */
export async function startBrowserStack(options: Pick<LocalStackOptions, 'settings' | 'autoUser' | 'extraMounts'> = {}): Promise<BrowserStack> {
  const logs: string[] = [];
  let offset = 0;
  const stack = await startLocalStack({
    ...options,
    port: 0,
    logger: SinkLogger.create((line) => logs.push(line), { logLevel: 'INFO' }),
    clock: () => Date.now() + offset,
  });
  return {
    stack,
    origin: new URL(stack.frontUrl).origin,
    nhsLoginOrigin: new URL(stack.issuer).origin,
    logs,
    advanceClock: (ms) => {
      offset += ms;
    },
    resetClock: () => {
      offset = 0;
    },
    stop: () => stack.stop(),
  };
}

/**
 * What keeps the bench bounded: one deadline for the whole run, and every process or server it starts registered
 * here so that all of them are stopped at the end, on failure, on Ctrl-C and when the deadline passes.
 */
type Stop = () => Promise<void>;

export class Lifetime {
  private readonly stops: Array<{ readonly name: string; readonly stop: Stop }> = [];
  private readonly startedAt = Date.now();

  constructor(readonly budgetMs: number) {}

  /** Registers something to stop; stopped in reverse order. Returns the thing for chaining. */
  own<T>(name: string, thing: T, stop: (t: T) => Promise<void>): T {
    this.stops.push({ name, stop: () => stop(thing) });
    return thing;
  }

  elapsedMs(): number {
    return Date.now() - this.startedAt;
  }

  /** Fails the phase that asks when the run's budget is spent. */
  check(phase: string): void {
    if (this.elapsedMs() > this.budgetMs) throw new Error(`bench: over its ${this.budgetMs / 1000} s budget before ${phase}`);
  }

  /** Stops everything registered (each at most 10 s), newest first; safe to call twice. */
  async stopAll(): Promise<void> {
    while (this.stops.length > 0) {
      const next = this.stops.pop();
      if (!next) break;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        next.stop().catch((err: unknown) => process.stderr.write(`bench: stopping ${next.name} failed: ${String(err)}\n`)),
        new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            process.stderr.write(`bench: stopping ${next.name} took over 10 s; moving on\n`);
            resolve();
          }, 10_000);
        }),
      ]);
      clearTimeout(timer);
    }
  }
}

/** The part of autocannon's programmatic API the bench uses (the package ships no types). */
declare module 'autocannon' {
  namespace autocannon {
    interface Histogram {
      readonly average: number;
      readonly p50: number;
      readonly p99: number;
      readonly total: number;
    }
    interface Result {
      readonly requests: Histogram;
      readonly latency: Histogram;
      readonly errors: number;
      readonly timeouts: number;
      readonly non2xx: number;
      readonly mismatches: number;
      readonly statusCodeStats?: Record<string, { readonly count: number }>;
    }
    interface Options {
      readonly url: string;
      readonly connections?: number;
      readonly duration?: number;
      readonly workers?: number;
      readonly timeout?: number;
      readonly headers?: Record<string, string>;
    }
    interface Instance extends PromiseLike<Result> {
      stop(): void;
    }
  }
  function autocannon(options: autocannon.Options): autocannon.Instance;
  export = autocannon;
}

import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  checkedDimensions,
  type CountMetricName,
  type DurationMetricName,
  METRICS,
  METRICS_NAMESPACE,
  type MetricDimensions,
  type MetricName,
  STAGE_DIMENSION,
} from '../core/metrics-catalogue';
import type { AppLogger, SignInMetrics } from '../core/ports';

const UNITS = { Count: MetricUnit.Count, Milliseconds: MetricUnit.Milliseconds } as const;

interface Recorded {
  readonly name: MetricName;
  readonly dimensions: Array<[string, string]>;
  readonly value: number;
}

/**
 * The sign-in metrics of one function through Powertools Metrics (CloudWatch embedded metric format, namespace
 * `NhsLoginRp`). A Powertools instance holds one dimension set per document, and one invocation can record metrics
 * of several (the callback's `SignInCompleted` by `[stage]`, its `ProviderLatency` by `[stage, call]` for the token
 * and userinfo calls), so what an invocation records is kept here and written at `flush` as one document per
 * distinct set of dimension values, each named by exactly `[stage, ...that metric's dimensions]`.
 *
 * Powertools adds a `service` dimension to every document by default: it is cleared, so the metrics are named by
 * the catalogue's dimensions alone (the dashboard and the alarms ask for exactly those). No metadata is ever
 * added: a document carries the dimensions, the values and the timestamp, nothing about a user or a request.
 */
export class EmfSignInMetrics implements SignInMetrics {
  readonly #metrics: Metrics;
  readonly #logger: AppLogger | undefined;
  #recorded: Recorded[] = [];

  /** `metrics`: a Powertools instance built by {@link newPowertoolsMetrics} (or a subclass writing elsewhere). */
  constructor(metrics: Metrics, logger?: AppLogger) {
    this.#metrics = metrics;
    this.#logger = logger;
  }

  count<N extends CountMetricName>(name: N, dimensions: MetricDimensions<N>): void {
    this.#record(name, dimensions as Readonly<Record<string, string>>, 1);
  }

  duration<N extends DurationMetricName>(name: N, dimensions: MetricDimensions<N>, milliseconds: number): void {
    if (Number.isFinite(milliseconds) && milliseconds >= 0) this.#record(name, dimensions as Readonly<Record<string, string>>, Math.round(milliseconds));
  }

  #record(name: MetricName, dimensions: Readonly<Record<string, string>>, value: number): void {
    const checked = checkedDimensions(name, dimensions);
    if (!checked) {
      this.#logger?.warn('Metric refused: a dimension outside its closed set', { event: 'metric_refused', metric: name });
      return;
    }
    this.#recorded.push({ name, dimensions: checked, value });
  }

  flush(): void {
    const recorded = this.#recorded;
    this.#recorded = [];
    const groups = new Map<string, Recorded[]>();
    for (const r of recorded) {
      const key = JSON.stringify(r.dimensions);
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const group of groups.values()) {
      try {
        for (const [k, v] of group[0]?.dimensions ?? []) this.#metrics.addDimension(k, v);
        for (const r of group) this.#metrics.addMetric(r.name, UNITS[METRICS[r.name].unit], r.value);
        this.#metrics.publishStoredMetrics();
      } catch (err) {
        // Metrics must never fail a request: the log line says which were lost.
        this.#metrics.clearMetrics();
        this.#metrics.clearDimensions();
        this.#logger?.warn('Metrics not written', {
          event: 'metrics_not_written',
          metrics: group.map((r) => r.name),
          errorName: err instanceof Error ? err.name : typeof err,
        });
      }
    }
  }
}

/**
 * A Powertools Metrics instance in the namespace `NhsLoginRp` whose only default dimension is `stage`. The
 * constructor always adds `service` (from `serviceName`, `POWERTOOLS_SERVICE_NAME` or its own default), which
 * `clearDefaultDimensions` removes before `stage` is set.
 */
export function configurePowertoolsMetrics<M extends Metrics>(metrics: M, stage: string): M {
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ [STAGE_DIMENSION]: stage });
  return metrics;
}

const powertoolsOptions = (logger?: AppLogger) => ({ namespace: METRICS_NAMESPACE, ...(logger ? { logger } : {}) });

/**
 * The one metrics instance of a function: embedded metric format documents on stdout, where Lambda hands them to
 * CloudWatch Logs, which extracts the metrics. `logger` gets Powertools' own warnings as structured lines.
 */
export function createMetrics(stage: string, logger?: AppLogger): SignInMetrics {
  return new EmfSignInMetrics(configurePowertoolsMetrics(new Metrics(powertoolsOptions(logger)), stage), logger);
}

/**
 * Powertools Metrics handing every finished EMF document (one JSON line) to `sink` instead of stdout: the local
 * stack's console and the tests that assert the documents. The lines are exactly what CloudWatch would receive.
 */
class SinkPowertoolsMetrics extends Metrics {
  #sink: (line: string) => void = () => undefined;

  static create(sink: (line: string) => void, logger?: AppLogger): SinkPowertoolsMetrics {
    const metrics = new SinkPowertoolsMetrics(powertoolsOptions(logger));
    metrics.#sink = sink;
    return metrics;
  }

  override publishStoredMetrics(): this {
    try {
      if (this.hasStoredMetrics()) this.#sink(JSON.stringify(this.serializeMetrics()));
    } finally {
      this.clearMetrics();
      this.clearDimensions();
      this.clearMetadata();
    }
    return this;
  }
}

/** A function's metrics whose EMF lines go to `sink` (see {@link SinkPowertoolsMetrics}). */
export function createSinkMetrics(stage: string, sink: (line: string) => void, logger?: AppLogger): SignInMetrics {
  return new EmfSignInMetrics(configurePowertoolsMetrics(SinkPowertoolsMetrics.create(sink, logger), stage), logger);
}

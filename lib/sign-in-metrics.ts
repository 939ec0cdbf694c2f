import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS, METRICS_NAMESPACE, type MetricName } from '../lambda/core/metrics-catalogue';

/**
 * CloudWatch metrics of the sign-in health catalogue (`lambda/core/metrics-catalogue.ts`), the one list the
 * handlers emit from: nothing here names a metric, a dimension or a reason of its own. Every metric is dimensioned
 * by exactly `stage` plus the catalogue's dimensions for it, which is how CloudWatch tells the series apart: a
 * query with fewer or other dimensions would silently find nothing.
 */
export class SignInMetrics {
  constructor(
    private readonly stage: string,
    private readonly period: Duration,
  ) {}

  /** One series: `dimensions` must give exactly the catalogue's dimensions of `name`, each from its closed set. */
  metric(name: MetricName, dimensions: Readonly<Record<string, string>> = {}, options: { statistic?: string; period?: Duration; label?: string } = {}) {
    const declared = METRICS[name].dimensions as Readonly<Record<string, readonly string[]>>;
    const given = Object.keys(dimensions).sort();
    if (given.join(',') !== Object.keys(declared).sort().join(',')) {
      throw new Error(
        `SignInMetrics: ${name} is dimensioned by [stage${Object.keys(declared)
          .map((d) => `, ${d}`)
          .join('')}], not [stage${given.map((d) => `, ${d}`).join('')}]`,
      );
    }
    for (const [key, value] of Object.entries(dimensions)) {
      if (!declared[key]?.includes(value)) throw new Error(`SignInMetrics: ${name} ${key} "${value}" is not one of ${declared[key]?.join(', ')}`);
    }
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: name,
      dimensionsMap: { stage: this.stage, ...dimensions },
      statistic: options.statistic ?? 'Sum',
      period: options.period ?? this.period,
      label: options.label,
    });
  }

  /**
   * Every series of `name` with `fixed` dimensions held: one per combination of the values of the others, keyed by a
   * metric-math id (`<metric>_<value>_<value>`).
   */
  series(
    name: MetricName,
    fixed: Readonly<Record<string, string>> = {},
    options: { statistic?: string; period?: Duration } = {},
  ): Record<string, cloudwatch.Metric> {
    const declared = METRICS[name].dimensions as Readonly<Record<string, readonly string[]>>;
    let combos: Record<string, string>[] = [{ ...fixed }];
    for (const [key, values] of Object.entries(declared)) {
      if (key in fixed) continue;
      combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
    }
    return Object.fromEntries(
      combos.map((dims) => {
        const free = Object.keys(declared).filter((k) => !(k in fixed));
        // Unique per series across a whole graph or alarm: the metric and every dimension value.
        const id = [name.toLowerCase(), ...Object.keys(declared).map((k) => dims[k])].join('_').replace(/[^a-zA-Z0-9_]/g, '_');
        return [id, this.metric(name, dims, { ...options, label: free.map((k) => dims[k]).join(' ') || name })];
      }),
    );
  }

  /** The sum of every series of `name` with `fixed` dimensions held (metric math: an alarm takes at most 10). */
  sum(name: MetricName, fixed: Readonly<Record<string, string>> = {}, label: string = name, period?: Duration): cloudwatch.MathExpression {
    const usingMetrics = this.series(name, fixed, { period });
    return new cloudwatch.MathExpression({
      expression: `SUM([${Object.keys(usingMetrics).join(', ')}])`,
      usingMetrics,
      period: period ?? this.period,
      label,
    });
  }
}

import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  InMemoryMetricExporter,
  type MetricData,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { MCP_SESSION_METER } from '../../lib';

/** What one collection of the package's meter held, by metric name. */
export class Collected {
  constructor(readonly byName: Map<string, MetricData>) {}

  /** The data points of `name` (none when nothing was recorded). */
  points(name: string): DataPoint<unknown>[] {
    return (this.byName.get(name)?.dataPoints ?? []) as DataPoint<unknown>[];
  }

  /** A counter's or gauge's value for the points whose attributes include `attributes` (summed). */
  value(name: string, attributes: Record<string, unknown> = {}): number {
    return this.matching(name, attributes).reduce((sum, point) => sum + (point.value as number), 0);
  }

  /** How many values a histogram holds for the points whose attributes include `attributes`. */
  count(name: string, attributes: Record<string, unknown> = {}): number {
    return this.matching(name, attributes).reduce(
      (sum, point) => sum + (point.value as Histogram).count,
      0,
    );
  }

  /** Every attribute value of every data point, as strings. */
  attributeValues(): string[] {
    return [...this.byName.values()].flatMap((metric) =>
      (metric.dataPoints as DataPoint<unknown>[]).flatMap((point) =>
        Object.values(point.attributes).map(String),
      ),
    );
  }

  private matching(name: string, attributes: Record<string, unknown>): DataPoint<unknown>[] {
    return this.points(name).filter((point) =>
      Object.entries(attributes).every(([key, value]) => point.attributes[key] === value),
    );
  }
}

/**
 * The OpenTelemetry SDK's in-memory set-up, registered as the global meter
 * provider: `collect()` exports what the meter holds (cumulative) and returns
 * the package's metrics. `shutdown()` unregisters it.
 */
export function installInMemoryMetrics(): {
  collect(): Promise<Collected>;
  shutdown(): Promise<void>;
} {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // Exports only when asked (forceFlush): no timer decides what a test sees.
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: 24 * 60 * 60 * 1000,
  });
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  return {
    async collect() {
      exporter.reset();
      await reader.forceFlush();
      const scopes = exporter.getMetrics().flatMap((resource) => resource.scopeMetrics);
      const ours = scopes.filter((scope) => scope.scope.name === MCP_SESSION_METER);
      return new Collected(
        new Map(ours.flatMap((scope) => scope.metrics).map((m) => [m.descriptor.name, m])),
      );
    },
    async shutdown() {
      metrics.disable();
      await provider.shutdown();
    },
  };
}

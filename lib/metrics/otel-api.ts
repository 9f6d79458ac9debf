import type * as OtelApi from '@opentelemetry/api';

let api: typeof OtelApi | null | undefined;

/**
 * `@opentelemetry/api` when the application has it installed, else
 * `undefined`: it is an optional peer dependency, and without it the metrics
 * of this package cost one check per event. Looked up once per process.
 */
export function otelApi(): typeof OtelApi | undefined {
  if (api === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      api = require('@opentelemetry/api') as typeof OtelApi;
    } catch {
      api = null;
    }
  }
  return api ?? undefined;
}

import type { LoggerService } from '@nestjs/common';
import type { McpSessionGate } from '../gate/mcp-session.gate';
import type { McpSessionOptions } from '../interfaces/mcp-session-options.interface';
import { LegacyLeg } from './legacy-leg';
import type { LocalSessions } from './local-sessions';
import type { Sdk } from './sdk-loader';
import type { ServerFactory } from './server-factory';
import { SessionBusRouter } from './session-bus-router';
import { EventStoreHealth } from './session-events';
import { SessionFactory } from './session-factory';
import { SessionRecords } from './session-records';

/** The 2025-era leg of this process and its receiver on the session message bus. */
export interface LegacyWiring {
  legacy: LegacyLeg;
  router: SessionBusRouter;
}

/**
 * Wires the 2025-era leg: records, the session factory (event store, links
 * on the message bus), the leg itself, and the bus receiver, subscribed.
 * `onBuilt` runs whenever a transport is built, `expiring` whenever the
 * expiry of a local session is learnt (ms).
 */
export function wireLegacyLeg(
  sdk: Sdk,
  gate: McpSessionGate,
  options: McpSessionOptions,
  servers: ServerFactory,
  sessions: LocalSessions,
  logger: LoggerService,
  onBuilt: () => void,
  expiring: (at: number) => void,
): LegacyWiring {
  const { messageBus: bus, eventStore } = options;
  const records = new SessionRecords(options, logger);
  const factory = new SessionFactory({
    sdk,
    transportOptions: options.transport,
    servers,
    eventStore,
    health: new EventStoreHealth(logger),
    hostOf: (session, id) => ({
      bus,
      logger,
      holdsStream: () => session.streams > 0,
      saveState: (change) => records.updateState(id, change),
    }),
    onBuilt,
  });
  const legacy = new LegacyLeg(sdk, gate, {
    sessions,
    factory,
    records,
    bus,
    eventStore,
    logger,
    expiring,
  });
  const router = new SessionBusRouter(bus, sessions, (id) => legacy.close(id), logger);
  router.start();
  return { legacy, router };
}

/** The counters of one command in `INFO commandstats`. */
export interface CommandStat {
  calls: number;
  /** Server time spent in the command, in µs (a script's includes its inner commands). */
  usec: number;
  usecPerCall: number;
}

/**
 * Parses `INFO commandstats`: command name as Redis reports it (`get`,
 * `evalsha`, `config|resetstat`) -> its counters. Commands a script runs
 * inside Redis are counted too.
 */
export function parseCommandStats(info: string): Map<string, CommandStat> {
  const stats = new Map<string, CommandStat>();
  for (const match of info.matchAll(
    /^cmdstat_([^:]+):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/gm,
  )) {
    const [, name, calls, usec, perCall] = match;
    stats.set(name, { calls: Number(calls), usec: Number(usec), usecPerCall: Number(perCall) });
  }
  return stats;
}

/** The parsed `INFO commandstats` of the server `client` talks to. */
export async function commandStats(client: {
  info(section: 'commandstats'): Promise<string>;
}): Promise<Map<string, CommandStat>> {
  return parseCommandStats(await client.info('commandstats'));
}

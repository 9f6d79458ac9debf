import { cpus, totalmem } from 'node:os';
import { redisVersion } from './redis';

/** The machine and versions a run measured on. */
export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  redis: string;
  platform: string;
  /** One line for the chart and the docs. */
  summary: string;
}

/** Describes this machine. */
export function machine(): Machine {
  const list = cpus();
  const cpuModel = list[0]?.model.trim() ?? 'unknown';
  const memoryGiB = Math.round(totalmem() / 2 ** 30);
  const redis = redisVersion();
  const node = process.version;
  const platform = `${process.platform} ${process.arch}`;
  return {
    cpus: list.length,
    cpuModel,
    memoryGiB,
    node,
    redis,
    platform,
    summary: `${list.length} CPUs (${cpuModel}), ${memoryGiB} GiB, ${platform}, Node ${node}, Redis ${redis}`,
  };
}

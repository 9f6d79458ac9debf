// The servers the conformance runs talk to: one sample instance (memory
// store), and two instances on one redis-server behind round-robin proxies.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort, startRedis, startSample } from './conformance.processes.mjs';
import { startRoundRobinProxy } from './round-robin.proxy.mjs';

/** Host and Origin values the samples let in (their DNS-rebinding protection). */
function allowed(ports) {
  const hosts = ports.flatMap((port) => [`127.0.0.1:${port}`, `localhost:${port}`]);
  return {
    MCP_ALLOWED_HOSTS: hosts.join(','),
    MCP_ALLOWED_ORIGINS: hosts.map((host) => `http://${host}`).join(','),
  };
}

/**
 * Starts what `runs` need, each process's stop pushed onto `cleanups`, and
 * resolves to `urlOf(run)`, the MCP endpoint a run talks to (`run.proxy`
 * is set on hop runs: its request counts).
 * - `target: 'single'`: one instance, memory store, serving every such run.
 * - `target: 'hops'`: two instances (caching store over one redis-server,
 *   Redis event bus, the same `MCP_REQUEST_STATE_KEY`), every such run
 *   behind a round-robin proxy of its own, so that each alternates
 *   deterministically whatever the other runs do.
 */
export async function startTargets({ runs, entry, workDir, cleanups }) {
  const sample = async (name, env) => {
    const started = await startSample({
      entry,
      port: env.PORT,
      logPath: join(workDir, `sample-${name}.log`),
      env: { MCP_SAMPLE_MODE: 'conformance', REDIS_URL: '', ...env },
    });
    cleanups.push(started.stop);
    return started;
  };
  const single = async () => {
    const port = await freePort();
    await sample('single', { PORT: port, ...allowed([port]) });
    return port;
  };
  const hops = async (hopRuns) => {
    const redis = await startRedis(await freePort(), workDir);
    cleanups.push(redis.stop);
    const proxyPorts = [];
    for (const run of hopRuns) proxyPorts.push((run.proxyPort = await freePort()));
    const env = {
      REDIS_URL: redis.url,
      MCP_REQUEST_STATE_KEY: randomBytes(32).toString('base64url'),
      ...allowed(proxyPorts),
    };
    const ports = [await freePort(), await freePort()];
    await Promise.all(ports.map((port, i) => sample('ab'[i], { ...env, PORT: port })));
    for (const run of hopRuns) {
      run.proxy = await startRoundRobinProxy({
        targets: ports,
        tracePath: join(workDir, run.name, 'proxy-trace.log'),
        port: run.proxyPort,
      });
      cleanups.push(run.proxy.close);
    }
  };
  const hopRuns = runs.filter((run) => run.target === 'hops');
  const [singlePort] = await Promise.all([
    runs.some((run) => run.target === 'single') ? single() : undefined,
    hopRuns.length > 0 ? hops(hopRuns) : undefined,
  ]);
  return (run) => `http://127.0.0.1:${run.target === 'single' ? singlePort : run.proxyPort}/mcp`;
}

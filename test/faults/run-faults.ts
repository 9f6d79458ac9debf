// `npm run test:faults`: the fault suite. Two instances of the sample
// (fault-server.ts) over one real Redis with append-only persistence, under
// load while Redis is stopped and restarted, hung (DEBUG SLEEP) and one
// instance is killed; hostile headers and bodies (fast-check); a flood of
// initializes against the per-owner cap and against maxLocalSessions;
// corrupt values of every kind; parallel updaters. Prints a table per phase
// and the targets; exits 1 when one is missed. Bounded to a few minutes.
// Environment: FAULT_FLOOD_SECONDS (default 15), FAULT_KEEP_LOGS=1 keeps the
// instance logs of a passing run (a failing run always keeps them).
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORRUPTIONS, hostileRequests } from './fault-hostile';
import {
  count,
  initialize,
  type LoadSession,
  Phase,
  runLoad,
  send,
  storedCount,
} from './fault-load';
import { FaultRedis, freePort, Instance, sleep } from './fault-processes';
import { MAX_LOCAL_SESSIONS, table, targets, type Totals } from './fault-report';

const FLOOD_SECONDS = Number(process.env.FAULT_FLOOD_SECONDS ?? 20);
const WARM_SECONDS = 10;
const MAX_LOCAL = MAX_LOCAL_SESSIONS;
const PER_OWNER = 40;
const LOAD_SESSIONS = 16;
const WATCHDOG_MS = 8 * 60_000;

const logDir = mkdtempSync(join(tmpdir(), 'mcp-faults-'));
/** What the watchdog stops if the suite hangs: the instances and the redis-server. */
const started: { stop(): Promise<void> }[] = [];
const phases: Phase[] = [];
let phase = new Phase('setup');
function begin(name: string): Phase {
  phase = new Phase(name);
  phases.push(phase);
  return phase;
}

async function main(): Promise<boolean> {
  const redis = new FaultRedis(await freePort());
  started.push({ stop: () => redis.destroy() });
  await redis.start();
  const env = {
    REDIS_URL: redis.url,
    MCP_REQUEST_STATE_KEY: 'fault-suite-request-state-key-0123456789',
    FAULT_MAX_LOCAL: String(MAX_LOCAL),
    FAULT_PER_OWNER: String(PER_OWNER),
    FAULT_CACHE_ENTRIES: String(MAX_LOCAL),
  };
  const a = new Instance('instance-a', await freePort(), env, logDir);
  const b = new Instance('instance-b', await freePort(), env, logDir);
  const instances = [a, b];
  started.push(a, b);
  const live = () => instances.filter((i) => i.alive).map((i) => i.url);
  const admin = new Redis(redis.url, { maxRetriesPerRequest: 0, lazyConnect: true });
  admin.on('error', () => undefined);
  try {
    await Promise.all([a.start(), b.start()]);
    const totals = await phasesOf(redis, a, b, live, admin);
    totals.unhandled = a.unhandled().length + b.unhandled().length;
    for (const line of [...a.unhandled(), ...b.unhandled()].slice(0, 5)) console.log(line);
    console.log(`\nFault suite (2 instances over one Redis ${redis.port}, logs in ${logDir})\n`);
    console.log(table(phases));
    console.log('\ncorrupt values (kind: answer via the other instance, then DELETE):');
    for (const [kind, answer] of totals.corruptAnswers)
      console.log(`  ${kind.padEnd(18)} ${answer}`);
    for (const failure of totals.hostileFailures.slice(0, 3))
      console.log(`hostile request failed: ${failure}`);
    for (const lost of totals.lostSessions) console.log(`session lost: ${lost}`);
    console.log(`RSS of B during the flood, every 5 s (MB): ${totals.rssTimeline.join(' ')}`);
    console.log('\ntargets:');
    const checked = targets(phases, totals);
    for (const t of checked) console.log(`  ${t.ok ? 'ok  ' : 'MISS'} ${t.name}: ${t.figure}`);
    return checked.every((t) => t.ok);
  } finally {
    admin.disconnect();
    await Promise.all(instances.map((i) => i.stop()));
    await redis.destroy();
  }
}

async function phasesOf(
  redis: FaultRedis,
  a: Instance,
  b: Instance,
  live: () => string[],
  admin: Redis,
): Promise<Totals> {
  const totals: Totals = {
    sessionsChecked: 0, sessionsLost: 0, updatesLost: 0, phantomUpdates: 0, resurrections: 0, unhandled: 0,
    rssBoundMb: 0, rssPeakMb: 0, floodSeconds: FLOOD_SECONDS, floodSessions: 0,
    ownerFlood: { admitted: 0, refused: 0, cap: PER_OWNER }, hostileFailures: [], corruptAnswers: new Map(), lostSessions: [], stuckValues: 0, rssTimeline: [],
  }; // prettier-ignore

  // Sessions of the load, and some ended at once (they must stay ended).
  const sessions: LoadSession[] = [];
  const ended: string[] = [];
  for (let i = 0; i < LOAD_SESSIONS + 4; i++) {
    const id = await initialize(live()[i % 2]);
    if (typeof id !== 'string') throw new Error(`setup initialize failed: ${id}`);
    if (i < LOAD_SESSIONS) sessions.push({ id, succeeded: 0, unsure: 0, deleted: false });
    else {
      const gone = await send(live()[(i + 1) % 2], undefined, { 'mcp-session-id': id }, 'DELETE');
      if (gone.outcome !== 200) throw new Error(`setup DELETE failed: ${gone.outcome}`);
      ended.push(id);
    }
  }
  let stop = false;
  const load = (name: string) => {
    begin(name);
    stop = false;
    return runLoad(
      sessions,
      live,
      () => phase,
      () => stop,
    );
  };
  const until = async (what: () => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!what() && Date.now() < deadline) await sleep(20);
  };

  let running = load('baseline');
  await sleep(3_000);
  stop = true;
  await running;

  running = load('redis stopped, restarted');
  await sleep(1_000);
  phase.faultAt = Date.now();
  await redis.stop();
  await sleep(2_500);
  await redis.start();
  phase.backAt = Date.now();
  await until(() => phase.recovery !== undefined, 10_000);
  await sleep(1_000);
  stop = true;
  await running;

  running = load('redis hung (DEBUG SLEEP 3)');
  await sleep(1_000);
  phase.faultAt = Date.now();
  await redis.cli('debug', 'sleep', '3');
  phase.backAt = Date.now();
  await until(() => phase.recovery !== undefined, 10_000);
  await sleep(1_000);
  stop = true;
  await running;

  running = load('instance A killed (-9)');
  await sleep(1_000);
  await a.kill();
  await sleep(3_000);
  stop = true;
  await running;
  await a.start();

  begin('hostile headers and bodies');
  const requests = fc.sample(hostileRequests(sessions.map((s) => s.id)), {
    numRuns: 600,
    seed: 14,
  });
  await pool(requests, 8, async (request, i) => {
    const url = live()[i % 2];
    const headers = { ...request.headers };
    const reply = await send(url, request.body, headers, request.method).catch(() => ({
      outcome: 'conn' as const,
    }));
    phase.record(reply.outcome, Date.now(), true);
    // A well-formed DELETE of a load session ends it: from now on it must stay ended.
    const gone = sessions.find((s) => s.id === headers['mcp-session-id']);
    if (gone && request.method === 'DELETE' && reply.outcome === 200) {
      sessions.splice(sessions.indexOf(gone), 1);
      ended.push(gone.id);
    }
    if (reply.outcome === 'conn' || reply.outcome >= 500) {
      totals.hostileFailures.push(
        `${reply.outcome} for ${JSON.stringify({ ...request, body: request.body?.slice(0, 200) })}`,
      );
    }
  });

  begin(`initializes of one owner (perOwner ${PER_OWNER})`);
  await pool(Array.from({ length: PER_OWNER * 3 }), 10, async (_, i) => {
    const started = Date.now();
    const reply = await send(live()[i % 2], { ...INIT, id: i }, { 'x-user': 'mallory' });
    phase.record(reply.outcome, started, reply.outcome === 200);
    if (reply.outcome === 200) totals.ownerFlood.admitted++;
    if (reply.outcome === 429) totals.ownerFlood.refused++;
  });

  begin(`flood of initializes on B (${FLOOD_SECONDS} s)`);
  // Warm-up: the same flood for WARM_SECONDS (the LRU turns over many times, the caches fill,
  // the heap reaches its working size); its peak RSS is the bound the flood is held to.
  const flood = async (seconds: number, sample: (rss: number) => void) => {
    const sampler = setInterval(() => sample(b.rssMb()), 100);
    const end = Date.now() + seconds * 1_000;
    await Promise.all(
      Array.from({ length: 16 }, async (_, worker) => {
        for (let i = worker; Date.now() < end; i += 16) {
          const reply = await send(b.url, { ...INIT, id: i });
          phase.record(reply.outcome, Date.now(), reply.outcome === 200);
          if (reply.outcome === 200) totals.floodSessions++;
        }
      }),
    );
    clearInterval(sampler);
  };
  await flood(WARM_SECONDS, (rss) => (totals.rssBoundMb = Math.max(totals.rssBoundMb, rss)));
  let ticks = 0;
  await flood(FLOOD_SECONDS, (rss) => {
    totals.rssPeakMb = Math.max(totals.rssPeakMb, rss);
    if (++ticks % 50 === 0) totals.rssTimeline.push(Math.round(rss));
  });

  begin('corrupt values');
  await admin.connect();
  for (const corruption of CORRUPTIONS) {
    const id = await initialize(a.url);
    if (typeof id !== 'string') throw new Error(`corrupt setup: ${id}`);
    const [key] = await admin.keys(`*:${id}`);
    // Written again until it stays: a write of instance A still on its way must not undo it.
    for (let attempt = 0; attempt < 10; attempt++) {
      const before = (await admin.type(key)) === 'string' ? ((await admin.get(key)) ?? '') : '';
      if (attempt > 0 && !/^\{"v":[12],/.test(before)) break;
      await corruption.write(admin, key, before);
      await sleep(50);
    }
    const seen = await send(
      b.url,
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { 'mcp-session-id': id },
    );
    const removed = await send(b.url, undefined, { 'mcp-session-id': id }, 'DELETE');
    phase.record(seen.outcome, Date.now(), seen.outcome === 404);
    phase.record(removed.outcome, Date.now(), true);
    const stuck = (await admin.exists(key)) === 1;
    if (stuck) totals.stuckValues++;
    // A (which cached the good record) may still answer from its cache, but never writes it back.
    const cached = await send(
      a.url,
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      { 'mcp-session-id': id },
    );
    phase.record(cached.outcome, Date.now(), true);
    const back = !stuck && (await admin.exists(key)) === 1;
    if (back) totals.resurrections++;
    const note = stuck ? ', value left in place' : back ? ', KEY WRITTEN BACK' : '';
    totals.corruptAnswers.set(
      corruption.kind,
      `${seen.outcome}, DELETE ${removed.outcome}, A ${cached.outcome}${note}`,
    );
  }

  begin('parallel updaters (16 x 25 count calls, both instances)');
  const shared = await initialize(a.url);
  if (typeof shared !== 'string') throw new Error(`updaters setup: ${shared}`);
  let succeeded = 0;
  await Promise.all(
    Array.from({ length: 16 }, async (_, worker) => {
      for (let i = 0; i < 25; i++) {
        const started = Date.now();
        const { reply, value } = await count(live()[(worker + i) % 2], shared);
        phase.record(reply.outcome, started, value !== undefined);
        if (value !== undefined) succeeded++;
        else if (reply.outcome === 200) phase.toolErrors++;
      }
    }),
  );
  const final = (await storedCount(a.url, shared)) ?? 0;
  totals.updatesLost += Math.max(0, succeeded - final);
  totals.phantomUpdates += Math.max(0, final - succeeded);

  // Every load session still there, its counter what its client saw succeed; ended ones still ended.
  begin('final check');
  for (const session of sessions) {
    totals.sessionsChecked++;
    const url = live()[totals.sessionsChecked % 2];
    const reply = await send(
      url,
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { 'mcp-session-id': session.id },
    );
    phase.record(reply.outcome, Date.now(), reply.outcome === 200);
    if (reply.outcome === 404) {
      totals.sessionsLost++;
      const keys = await admin.keys(`*${session.id}`);
      totals.lostSessions.push(
        `${session.id.slice(0, 8)}: Redis keys ${keys.join(', ') || 'none'}`,
      );
      continue;
    }
    const stored = await storedCount(url, session.id);
    if (stored === undefined)
      throw new Error(
        `session_info of ${session.id.slice(0, 8)} failed after tools/list answered ${reply.outcome}`,
      );
    if (stored < session.succeeded) totals.updatesLost += session.succeeded - stored;
    if (stored > session.succeeded + session.unsure)
      totals.phantomUpdates += stored - session.succeeded - session.unsure;
  }
  for (const id of ended) {
    const reply = await send(
      live()[0],
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { 'mcp-session-id': id },
    );
    phase.record(reply.outcome, Date.now(), reply.outcome === 404);
    if (reply.outcome !== 404 || (await admin.keys(`*:${id}`)).length > 0) totals.resurrections++;
  }
  return totals;
}

const INIT = {
  jsonrpc: '2.0',
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'flood', version: '1' },
  },
};

/** Runs `work` over `items`, `width` at a time. */
async function pool<T>(
  items: T[],
  width: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index], index);
      }
    }),
  );
}

const watchdog = setTimeout(() => {
  console.error(
    `fault suite: still running after ${WATCHDOG_MS / 60_000} min, giving up (logs in ${logDir})`,
  );
  void Promise.all(started.map((p) => p.stop().catch(() => undefined))).finally(() =>
    process.exit(1),
  );
}, WATCHDOG_MS);
watchdog.unref();

main().then(
  (ok) => {
    if (ok && process.env.FAULT_KEEP_LOGS !== '1') rmSync(logDir, { recursive: true, force: true });
    console.log(
      ok ? '\nfault suite: every target met' : `\nfault suite: targets missed (logs in ${logDir})`,
    );
    process.exit(ok ? 0 : 1);
  },
  (error: unknown) => {
    console.error(
      `fault suite failed: ${error instanceof Error ? error.stack : String(error)} (logs in ${logDir})`,
    );
    process.exit(1);
  },
);

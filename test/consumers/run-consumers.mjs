#!/usr/bin/env node
// `npm run test:consumers`: installs the package as its users do and proves
// that it works there. Packs this checkout (`npm pack`, which builds dist/
// through the `prepare` script), then creates throwaway apps outside the
// repository (under the OS temp dir) from templates/ and installs the tarball
// into each, from the npm registry only:
//   - cjs-nest10-sdk1: a CommonJS Nest 10 app with MCP SDK v1
//     (@modelcontextprotocol/sdk), compiled with module commonjs and node10
//     resolution, as the Nest 10 starter does;
//   - cjs-nest11-sdk1: a CommonJS Nest 11 app with SDK v1;
//   - cjs-nest11-sdk2: a CommonJS Nest 11 app with SDK v2
//     (@modelcontextprotocol/server, driven by @modelcontextprotocol/client);
//   - esm-nest12-sdk2: an ESM Nest 12.5 app ("type": "module") with SDK v2
//     and a local CommonJS dependency that requires the package too:
//     identity.mjs checks that both get the same objects (every subpath, the
//     DI tokens, SessionStore, SessionStoreError, a Nest container);
//   each built with tsc from templates/app/src (main.ts and the README's
//   controller) and templates/sdk<1|2>/src (the README's module setup for
//   that SDK line), booted on a free port and driven by the official SDK
//   client of its line: initialize, a tool call, DELETE (terminateSession),
//   then a raw request with the ended session id must get 404; the SDK v2 apps
//   also serve a client pinned to MCP 2026-07-28 one tool call (no session);
//   then SIGTERM must shut them down.
//   - types: an app with neither optional peer (ioredis, the MCP SDK) that
//   compiles against every entry with skipLibCheck false: nodenext from a
//   CommonJS file ("require" types) and from an .mts file ("import" types),
//   bundler, and node10 resolution (typesVersions).
// Prints PASS or FAIL per app and exits non-zero on any failure. The apps
// install and run their checks side by side; installs use the npm cache
// (prefer-offline), so repeated runs are fast.
// Environment: CONSUMERS_KEEP=1 keeps the temp dir; CONSUMERS_ONLY=a,b runs
// only the named apps.
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const TEMPLATES = join(HERE, 'templates');
const WATCHDOG_MS = 8 * 60_000; // the whole command: pack, installs, builds, runs
const STEP_TIMEOUT_MS = 4 * 60_000; // one npm or tsc command
const BOOT_TIMEOUT_MS = 30_000;
const SHUTDOWN_TIMEOUT_MS = 15_000;

/** `sdk`: the MCP SDK line of the app (its templates/sdk<n>, its client); none for types. */
const CASES = [
  { name: 'cjs-nest10-sdk1', title: 'CommonJS app, Nest 10, MCP SDK v1', sdk: 1 },
  { name: 'cjs-nest11-sdk1', title: 'CommonJS app, Nest 11, MCP SDK v1', sdk: 1 },
  { name: 'cjs-nest11-sdk2', title: 'CommonJS app, Nest 11, MCP SDK v2', sdk: 2 },
  // Nest 12 is ESM-only; the package's one implementation is CommonJS and
  // loads Nest 12 with require(esm): Node >= 20.19.
  {
    name: 'esm-nest12-sdk2',
    title: 'ESM app ("type": "module"), Nest 12.5, MCP SDK v2, and a CommonJS dependency',
    sdk: 2,
    identity: true,
    node: '20.19',
  },
  { name: 'types', title: 'types without optional peers, skipLibCheck false' },
];

const children = new Set();
let workDir;

function killChildren() {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGKILL'); // its own process group: npm and what it started
    } catch {
      // already gone
    }
  }
}

async function cleanUp() {
  killChildren();
  if (workDir && !process.env.CONSUMERS_KEEP) await rm(workDir, { recursive: true, force: true });
}

const watchdog = setTimeout(() => {
  console.error(`consumers: FAIL, still running after ${WATCHDOG_MS / 60_000} min, giving up`);
  void cleanUp().finally(() => process.exit(1));
}, WATCHDOG_MS);
watchdog.unref();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

/** The environment of a child npm: none of the `npm run` variables of this checkout. */
function childEnv() {
  const keep =
    /^npm_config_(cache|registry|userconfig|globalconfig|proxy|https_proxy|noproxy|cafile|strict_ssl)$/i;
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(npm_|INIT_CWD$)/i.test(key) || keep.test(key),
    ),
  );
}

/**
 * Runs a command to completion; rejects with its output when it fails or
 * outlives `timeoutMs`.
 * @returns its stdout
 */
function run(command, args, { cwd, timeoutMs = STEP_TIMEOUT_MS }) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv(), detached: true });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (code === 0) return resolvePromise(stdout);
      const how = signal ? `killed by ${signal} (timeout ${timeoutMs / 1000} s?)` : `exit ${code}`;
      reject(new Error(`${command} ${args.join(' ')}: ${how}\n${tail(stdout + stderr)}`));
    });
  });
}

/** True when this Node is older than `version` ("major.minor"). */
function olderThan(version) {
  const [major, minor] = version.split('.').map(Number);
  const [ourMajor, ourMinor] = process.versions.node.split('.').map(Number);
  return ourMajor < major || (ourMajor === major && ourMinor < minor);
}

const tail = (text, lines = 40) => text.trimEnd().split('\n').slice(-lines).join('\n');
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Every file that package.json points at: main, types and each exports target. */
async function entryFiles() {
  const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
  const targets = [];
  const collect = (value) => {
    if (typeof value === 'string') targets.push(value.replace(/^\.\//, ''));
    else for (const inner of Object.values(value)) collect(inner);
  };
  collect([manifest.main, manifest.types, manifest.exports, manifest.typesVersions]);
  return [...new Set(targets)];
}

/** `npm pack` of the checkout into `dir`; checks what the tarball holds. */
async function pack(dir) {
  const out = await run(npm, ['pack', '--json', '--pack-destination', dir], { cwd: ROOT });
  // The build's own output (prepare) comes first; the JSON starts on a line of its own.
  const [{ filename, files }] = JSON.parse(out.slice(out.search(/^\[\s*$/m)));
  const paths = files.map((file) => file.path);
  for (const needed of await entryFiles()) {
    if (!paths.includes(needed)) throw new Error(`the tarball lacks ${needed}`);
  }
  const maps = paths.filter((path) => path.endsWith('.map'));
  if (maps.length > 0) throw new Error(`the tarball ships source maps without sources: ${maps[0]}`);
  return { tarball: join(dir, filename), files: paths.length };
}

/** Copies a template into `dir` and points its dependency at the tarball. */
async function createApp(consumer, dir, tarball) {
  if (consumer.sdk) {
    await cp(join(TEMPLATES, 'app'), dir, { recursive: true });
    await cp(join(TEMPLATES, `sdk${consumer.sdk}`), dir, { recursive: true });
  }
  await cp(join(TEMPLATES, consumer.name), dir, { recursive: true });
  const manifestPath = join(dir, 'package.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  manifest.dependencies['nestjs-mcp-session'] = `file:${tarball}`;
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  await run(
    npm,
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--package-lock=false'],
    { cwd: dir },
  );
}

const tsc = (dir, project) =>
  run(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', project], {
    cwd: dir,
  });

/** Boots the built app; resolves with its port once it prints it. */
function boot(dir) {
  const child = spawn(process.execPath, ['dist/main.js'], { cwd: dir, detached: true });
  children.add(child);
  const app = { child, output: '', port: 0, exited: undefined };
  // 'close', not 'exit': the app's last output may still be in the pipe at 'exit'.
  app.exited = new Promise((resolvePromise) =>
    child.on('close', (code, signal) => {
      children.delete(child);
      resolvePromise({ code, signal });
    }),
  );
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "listening on" within ${BOOT_TIMEOUT_MS / 1000} s`)),
      BOOT_TIMEOUT_MS,
    );
    const onData = (chunk) => {
      app.output += chunk;
      const match = /listening on (\d+)/.exec(app.output);
      if (match) {
        clearTimeout(timer);
        app.port = Number(match[1]);
        resolvePromise(app);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void app.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the app exited at boot (${signal ?? `exit ${code}`})`));
    });
  });
}

/** The official SDK client of the app's line, as the app installed it. */
async function sdkClient(dir, sdk) {
  const require = createRequire(join(dir, 'package.json'));
  const load = (path) => import(pathToFileURL(require.resolve(path)).href);
  if (sdk === 2) return load('@modelcontextprotocol/client');
  const { Client } = await load('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = await load(
    '@modelcontextprotocol/sdk/client/streamableHttp.js',
  );
  return { Client, StreamableHTTPClientTransport };
}

function expectThat(condition, what) {
  if (!condition) throw new Error(what);
}

/** One session, as a client sees it: initialize, a tool call, DELETE, then 404. */
async function serveOneSession(dir, sdk, port, say) {
  const { Client, StreamableHTTPClientTransport } = await sdkClient(dir, sdk);
  const url = new URL(`http://127.0.0.1:${port}/mcp`);
  const client = new Client({ name: 'consumer-check', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(url);
  await client.connect(transport);
  const sessionId = transport.sessionId;
  expectThat(
    typeof sessionId === 'string' && sessionId.length > 0,
    'initialize gave no session id',
  );
  say(`initialize: session ${sessionId.slice(0, 8)}…, protocol ${transport.protocolVersion}`);
  const result = await client.callTool({ name: 'greet', arguments: { name: 'consumer' } });
  const text = result.content?.[0]?.text;
  expectThat(text === 'Hello, consumer!', `tools/call greet answered ${JSON.stringify(result)}`);
  say(`tools/call greet: "${text}"`);
  await transport.terminateSession();
  expectThat(transport.sessionId === undefined, 'DELETE did not end the session');
  say('DELETE: session ended');
  const protocolVersion = transport.protocolVersion;
  await client.close();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': sessionId,
      'mcp-protocol-version': protocolVersion,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
  });
  await response.body?.cancel();
  expectThat(response.status === 404, `a request with the ended session got ${response.status}`);
  say('request with the ended session id: 404');
}

/** SDK v2: a client pinned to MCP 2026-07-28 (no session, no handshake), one tool call. */
async function serveModernCall(dir, port, say) {
  const { Client, StreamableHTTPClientTransport } = await sdkClient(dir, 2);
  const client = new Client(
    { name: 'consumer-check', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`));
  await client.connect(transport);
  try {
    const version = client.getNegotiatedProtocolVersion();
    expectThat(version === '2026-07-28', `the pinned client negotiated ${version}`);
    expectThat(transport.sessionId === undefined, 'the 2026-07-28 client got a session id');
    const result = await client.callTool({ name: 'greet', arguments: { name: 'modern' } });
    const text = result.content?.[0]?.text;
    expectThat(text === 'Hello, modern!', `tools/call greet answered ${JSON.stringify(result)}`);
    say(`client pinned to ${version}: tools/call greet "${text}", no session`);
  } finally {
    await client.close();
  }
}

/** SIGTERM; the app must run its shutdown hooks and exit. */
async function shutDown(app, say) {
  app.child.kill('SIGTERM');
  const timer = new Promise((resolvePromise) =>
    setTimeout(resolvePromise, SHUTDOWN_TIMEOUT_MS, 'timeout'),
  );
  const exit = await Promise.race([app.exited, timer]);
  expectThat(exit !== 'timeout', `still running ${SHUTDOWN_TIMEOUT_MS / 1000} s after SIGTERM`);
  expectThat(/shut down \(SIGTERM\)/.test(app.output), 'exited without its shutdown hooks');
  say(`SIGTERM: shut down (${exit.signal ?? `exit ${exit.code}`})`);
}

/** The versions that the app's install resolved, for the report. */
async function installedVersions(dir) {
  const names = [
    '@nestjs/core',
    '@modelcontextprotocol/sdk',
    '@modelcontextprotocol/server',
    '@modelcontextprotocol/client',
  ];
  const versions = [];
  for (const name of names) {
    const manifest = await readFile(join(dir, 'node_modules', name, 'package.json'), 'utf8').then(
      (text) => JSON.parse(text),
      () => undefined,
    );
    if (manifest) versions.push(`${name} ${manifest.version}`);
  }
  return versions.join(', ');
}

/** Builds, (checks identity,) boots, serves one session (and a 2026-07-28 call), shuts down. */
async function checkApp(consumer, dir, say) {
  say(`installed: ${await installedVersions(dir)}`);
  await tsc(dir, 'tsconfig.json');
  if (consumer.identity) {
    const out = await run(process.execPath, ['identity.mjs'], { cwd: dir });
    for (const line of out.trim().split('\n')) say(`identity: ${line}`);
  }
  const app = await boot(dir);
  say(`booted on port ${app.port}`);
  try {
    await serveOneSession(dir, consumer.sdk, app.port, say);
    if (consumer.sdk === 2) await serveModernCall(dir, app.port, say);
    await shutDown(app, say);
  } catch (error) {
    error.message += `\n  app output:\n${tail(app.output)}`;
    throw error;
  } finally {
    if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
  }
}

/** tsc --noEmit with skipLibCheck false: nodenext (CommonJS and ESM files), bundler, node10. */
async function checkTypes(consumer, dir, say) {
  await readdir(join(dir, 'node_modules/nestjs-mcp-session'));
  const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
  const optionalPeers = Object.entries(manifest.peerDependenciesMeta ?? {})
    .filter(([, meta]) => meta.optional)
    .map(([name]) => name);
  for (const optional of optionalPeers) {
    const present = await readdir(join(dir, 'node_modules', optional)).then(
      () => true,
      () => false,
    );
    expectThat(!present, `${optional} is installed: the check needs it absent`);
  }
  const projects = ['tsconfig.json', 'tsconfig.bundler.json', 'tsconfig.node10.json'];
  await Promise.all(projects.map((project) => tsc(dir, project)));
  for (const project of projects) say(`tsc -p ${project}: no errors`);
}

/** Installs one app and checks it; never rejects. @returns whether it passed, and its report */
async function checkCase(consumer, dir, tarball) {
  const lines = [];
  const say = (line) => lines.push(`    ${line}`);
  const begun = Date.now();
  try {
    await createApp(consumer, dir, tarball);
    const installMs = Date.now() - begun;
    const checkStarted = Date.now();
    await (consumer.sdk ? checkApp : checkTypes)(consumer, dir, say);
    const timing = `install ${seconds(installMs)}, check ${seconds(Date.now() - checkStarted)}`;
    return { ok: true, lines: [`PASS ${consumer.name}: ${consumer.title} (${timing})`, ...lines] };
  } catch (error) {
    lines.unshift(
      `FAIL ${consumer.name}: ${consumer.title} (after ${seconds(Date.now() - begun)})`,
    );
    lines.push(`    ${String(error?.message ?? error).replaceAll('\n', '\n    ')}`);
    if (consumer.node && olderThan(consumer.node)) {
      lines.push(`    (this app needs Node >= ${consumer.node}; this is ${process.version})`);
    }
    return { ok: false, lines };
  }
}

async function main() {
  const only = process.env.CONSUMERS_ONLY?.split(',');
  const cases = CASES.filter((consumer) => !only || only.includes(consumer.name));
  workDir = await mkdtemp(join(tmpdir(), 'nestjs-mcp-session-consumers-'));
  console.log(`consumers: Node ${process.version}, apps in ${workDir}`);
  const started = Date.now();
  const packDir = join(workDir, 'pack');
  await mkdir(packDir);
  const { tarball, files } = await pack(packDir);
  console.log(`consumers: packed ${files} files in ${seconds(Date.now() - started)}`);

  // Each app installs and then checks itself, all side by side (installs are
  // mostly network and disk; a check waits on its tsc, then on HTTP); the
  // reports are printed in the order of CASES.
  const runs = cases.map((consumer) => checkCase(consumer, join(workDir, consumer.name), tarball));
  let failed = 0;
  for (const run of runs) {
    const { ok, lines } = await run;
    if (!ok) failed++;
    for (const line of lines) console.log(line);
  }
  const passed = cases.length - failed;
  console.log(
    `consumers: ${passed} passed, ${failed} failed, ${seconds(Date.now() - started)} in all`,
  );
  return failed === 0 ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.log(`consumers: FAIL, ${error?.message ?? error}`);
}
await cleanUp();
process.exit(code);

#!/usr/bin/env node
// `npm run test:consumers`: installs the package as its users do and proves
// that it works there. Packs this checkout (`npm pack`, which builds dist/
// through the `prepare` script), then creates throwaway apps outside the
// repository (under the OS temp dir) from templates/ and installs the tarball
// into each, from the npm registry only:
//   - cjs-nest11: a CommonJS Nest 11 app;
//   - esm-nest12: an ESM Nest 12.5 app ("type": "module");
//   both built with tsc from templates/app/src (the README's module setup and
//   controller), booted on a free port and driven by the official SDK client:
//   initialize, a tool call, DELETE (terminateSession), then a raw request
//   with the ended session id must get 404; then SIGTERM must shut them down.
//   - types: an app with neither optional peer (ioredis, the MCP SDK) that
//   compiles against the main entry and ./testing with skipLibCheck false,
//   with nodenext and with node10 module resolution.
// Prints PASS or FAIL per app and exits non-zero on any failure. Installs use
// the npm cache (prefer-offline), so repeated runs are fast.
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
const WATCHDOG_MS = 6 * 60_000; // the whole command: pack, installs, builds, runs
const STEP_TIMEOUT_MS = 4 * 60_000; // one npm or tsc command
const BOOT_TIMEOUT_MS = 30_000;
const SHUTDOWN_TIMEOUT_MS = 15_000;

const CASES = [
  { name: 'cjs-nest11', title: 'CommonJS app, Nest 11', app: true },
  // Nest 12 is ESM-only; our CommonJS build loads it with require(esm): Node >= 20.19.
  { name: 'esm-nest12', title: 'ESM app ("type": "module"), Nest 12.5', app: true, node: '20.19' },
  { name: 'types', title: 'types without optional peers, skipLibCheck false', app: false },
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

/** `npm pack` of the checkout into `dir`; checks what the tarball holds. */
async function pack(dir) {
  const out = await run(npm, ['pack', '--json', '--pack-destination', dir], { cwd: ROOT });
  // The build's own output (prepare) comes first; the JSON starts on a line of its own.
  const [{ filename, files }] = JSON.parse(out.slice(out.search(/^\[\s*$/m)));
  const paths = files.map((file) => file.path);
  for (const needed of ['dist/index.js', 'dist/index.d.ts', 'dist/testing/index.js']) {
    if (!paths.includes(needed)) throw new Error(`the tarball lacks ${needed}`);
  }
  const maps = paths.filter((path) => path.endsWith('.map'));
  if (maps.length > 0) throw new Error(`the tarball ships source maps without sources: ${maps[0]}`);
  return { tarball: join(dir, filename), files: paths.length };
}

/** Copies a template into `dir` and points its dependency at the tarball. */
async function createApp(consumer, dir, tarball) {
  await cp(join(TEMPLATES, consumer.name), dir, { recursive: true });
  if (consumer.app) await cp(join(TEMPLATES, 'app'), dir, { recursive: true });
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

/** The official SDK client, as the app installed it. */
async function sdkClient(dir) {
  const require = createRequire(join(dir, 'package.json'));
  const load = (path) => import(pathToFileURL(require.resolve(path)).href);
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
async function serveOneSession(dir, port, say) {
  const { Client, StreamableHTTPClientTransport } = await sdkClient(dir);
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

/** Builds, boots, serves one session and shuts the app down. */
async function checkApp(dir, say) {
  await tsc(dir, 'tsconfig.json');
  const app = await boot(dir);
  say(`booted on port ${app.port}`);
  try {
    await serveOneSession(dir, app.port, say);
    await shutDown(app, say);
  } catch (error) {
    error.message += `\n  app output:\n${tail(app.output)}`;
    throw error;
  } finally {
    if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
  }
}

/** tsc --noEmit with skipLibCheck false, nodenext and node10 resolution. */
async function checkTypes(dir, say) {
  await readdir(join(dir, 'node_modules/nestjs-mcp-session'));
  for (const optional of ['ioredis', '@modelcontextprotocol/sdk']) {
    const present = await readdir(join(dir, 'node_modules', optional)).then(
      () => true,
      () => false,
    );
    expectThat(!present, `${optional} is installed: the check needs it absent`);
  }
  for (const project of ['tsconfig.json', 'tsconfig.node10.json']) {
    await tsc(dir, project);
    say(`tsc -p ${project}: no errors`);
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

  // Installs run side by side (mostly network and disk); the checks one by one.
  const installs = cases.map(async (consumer) => {
    const dir = join(workDir, consumer.name);
    const begun = Date.now();
    await createApp(consumer, dir, tarball);
    return { dir, installMs: Date.now() - begun };
  });
  // Awaited one by one below; a later one may fail first.
  for (const install of installs) install.catch(() => undefined);
  let failed = 0;
  for (const [index, consumer] of cases.entries()) {
    const lines = [];
    const say = (line) => lines.push(`    ${line}`);
    const begun = Date.now();
    let installMs = 0;
    try {
      const installed = await installs[index];
      installMs = installed.installMs;
      const checkStarted = Date.now();
      await (consumer.app ? checkApp : checkTypes)(installed.dir, say);
      const timing = `install ${seconds(installMs)}, check ${seconds(Date.now() - checkStarted)}`;
      console.log(`PASS ${consumer.name}: ${consumer.title} (${timing})`);
      for (const line of lines) console.log(line);
    } catch (error) {
      failed++;
      console.log(
        `FAIL ${consumer.name}: ${consumer.title} (after ${seconds(Date.now() - begun)})`,
      );
      for (const line of lines) console.log(line);
      console.log(`    ${String(error?.message ?? error).replaceAll('\n', '\n    ')}`);
      if (consumer.node && olderThan(consumer.node)) {
        console.log(`    (this app needs Node >= ${consumer.node}; this is ${process.version})`);
      }
    }
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

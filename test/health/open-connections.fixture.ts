// Run by connections.spec.ts in a plain Node process (`node -r ./bench/register.js`):
// ioredis prints "Unhandled error event" only where its error is an `Error`
// of the same realm, which jest's sandbox is not.
//
// argv: <our redis url> <control port> <"running" | "wrong">
// Opens every Redis connection the package makes from a URL, plus a bare
// ioredis client (no error listener) to the control port; prints READY once
// connected (running) or at once (wrong), then, once the control client has
// tried to reconnect four times after READY, closes everything and prints DONE.
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { RedisInvalidationChannel, RedisServerEventBus, RedisSessionStore } from '../../lib';

async function main(): Promise<void> {
  const [url, controlPort, mode] = process.argv.slice(2);
  Logger.overrideLogger(false);
  const store = RedisSessionStore.fromUrl(url);
  const opened = [store, RedisInvalidationChannel.fromUrl(url), RedisServerEventBus.fromUrl(url)];
  const control = new Redis(Number(controlPort), '127.0.0.1', {
    retryStrategy: () => 100,
    maxRetriesPerRequest: 0,
  });
  if (mode === 'running') {
    await store.count();
    while (control.status !== 'ready') await new Promise((resolve) => setTimeout(resolve, 10));
  }
  let attempts = 0;
  await new Promise<void>((resolve) => {
    control.on('reconnecting', () => {
      if (++attempts >= 4) resolve();
    });
    process.stdout.write('READY\n');
  });
  control.disconnect();
  await Promise.all(opened.map((item) => item.onApplicationShutdown()));
  process.stdout.write('DONE\n');
}

void main();

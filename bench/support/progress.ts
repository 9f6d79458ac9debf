const started = Date.now();

/** One progress line on stderr, prefixed with the seconds since the run began. */
export function progress(message: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[${seconds}s] ${message}\n`);
}

import type { LoggerService, LogLevel } from '@nestjs/common';

/** One line a Nest logger was asked to write. */
export interface LogLine {
  level: LogLevel;
  context: string | undefined;
  message: string;
}

/**
 * A Nest `LoggerService` that keeps every line instead of printing it (give
 * it to `createNestApplication({ logger })` or `Logger.overrideLogger`), to
 * count what an operator would read.
 */
export class LogCapture implements LoggerService {
  readonly lines: LogLine[] = [];

  log(message: unknown, ...rest: unknown[]): void {
    this.keep('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.keep('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.keep('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.keep('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.keep('verbose', message, rest);
  }

  /** The lines of `level`, as `[context] message`. */
  at(level: LogLevel): string[] {
    return this.lines
      .filter((line) => line.level === level)
      .map((line) => `[${line.context}] ${line.message}`);
  }

  /** Forgets every line kept so far. */
  clear(): void {
    this.lines.length = 0;
  }

  private keep(level: LogLevel, message: unknown, rest: unknown[]): void {
    // Nest passes the context last (and a stack before it for errors).
    const context = rest.length > 0 ? String(rest[rest.length - 1]) : undefined;
    this.lines.push({ level, context, message: String(message) });
  }
}

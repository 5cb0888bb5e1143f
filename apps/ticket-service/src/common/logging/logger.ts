import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import type { Environment } from '../../config/app-config';

/**
 * One JSON logger for the process (stdout unless `destination` says otherwise); request bodies, tokens and file
 * contents are never logged.
 */
export function createRootLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'ticket-service' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['req.headers.authorization', 'headers.authorization'], censor: '[redacted]' },
    },
    destination,
  );
}

/** Human-readable lines for a developer at a terminal; JSON everywhere else (pipes, files, containers, production). */
export function wantsPrettyLogs(environment: Environment, stdoutIsTty: boolean): boolean {
  return stdoutIsTty && environment !== 'production';
}

/** Where the root logger writes: pino-pretty on a terminal (see wantsPrettyLogs), otherwise pino's JSON stdout. */
export function logDestination(pretty: boolean): DestinationStream | undefined {
  if (!pretty) return undefined;
  return pinoPretty({
    colorize: true,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,context',
    messageFormat: '{if context}[{context}] {end}{msg}',
  });
}

/**
 * Nest's start-up chatter (one line per module and per route, about 80 per start) is only useful when debugging
 * the wiring itself.
 */
const DEBUG_ONLY_CONTEXTS = new Set(['RoutesResolver', 'RouterExplorer', 'InstanceLoader']);

type Level = 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal';

/** Routes Nest's own log calls (`Logger.log(message, context)`) into the JSON logger. */
export class JsonNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    // Nest appends the logger's context as the last string parameter.
    const context =
      params.length > 0 && typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const text = params.find((param): param is string => typeof param === 'string');
    if (level === 'info' && context !== undefined && DEBUG_ONLY_CONTEXTS.has(context)) level = 'debug';
    if (typeof message === 'object' && message !== null) {
      this.logger[level]({ context, ...message }, text ?? '');
    } else {
      this.logger[level]({ context }, String(message));
    }
  }
}

import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Field paths pino blanks before a line is written: credentials must never reach a log, even when
 * a caller logs a whole request or config object by mistake.
 */
const REDACT = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'headers["x-api-key"]',
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'password',
  '*.password',
  'secret',
  '*.secret',
];

/**
 * Creates the process logger. Level from `PLOYD_LOG_LEVEL` (default `info`; `silent` in tests
 * unless set). Logs go to stderr so CLI output on stdout stays machine-readable.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = process.env.PLOYD_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { svc: 'ployd' }, ...options },
    pino.destination({ fd: 2, sync: false }),
  );
}

let root: Logger | undefined;

/** The shared root logger; components take `logger.child({ component })`. */
export function rootLogger(): Logger {
  root ??= createLogger();
  return root;
}

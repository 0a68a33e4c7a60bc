import pino, { type DestinationStream, type Logger } from 'pino';
import type { AppConfig } from './config';

export type { Logger };

/** Properties of driver and ORM errors that carry a statement's values as they are. */
const VALUE_PROPERTIES = new Set(['parameters', 'params', 'values', 'bindings', 'sqlParameters']);
/** Properties that carry SQL or a driver's message, with the values written into them. */
const TEXT_PROPERTIES = new Set(['message', 'stack', 'sql', 'sqlMessage', 'text', 'query']);

/**
 * A driver's or ORM's message with the values taken out. A failed write's message holds its SQL with
 * the values inlined (MikroORM's `insert into resident … values ('孙桂芝', '210502196804020011') - …`)
 * and the server's own text quotes them (`Duplicate entry '210502…' for key …`): quoted literals
 * become '?', and so does any run of six or more digits (ID numbers, phones, compact dates, large amounts),
 * wherever it stands. What stays is the statement's shape and the error, which is what one debugs with.
 */
export function redactSqlValues(text: string): string {
  return text
    // A literal opens after a non-word character (an apostrophe in "doesn't" opens nothing).
    .replace(/(?<!\w)'(?:[^'\\]|\\.|'')*'(?!\w)/g, "'?'")
    .replace(/(?<!\w)"(?:[^"\\]|\\.|"")*"(?!\w)/g, (literal) => (/^"[A-Za-z_][A-Za-z0-9_.]*"$/.test(literal) ? literal : '"?"'))
    .replace(/\d{6,}[xX]?/g, '?');
}

function redactErrorParts(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || depth > 5) return value;
  if (Array.isArray(value)) return value.map((item) => redactErrorParts(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).flatMap(([key, inner]): [string, unknown][] => {
      if (VALUE_PROPERTIES.has(key)) return [[key, '[redacted]']];
      if (typeof inner === 'string') return [[key, TEXT_PROPERTIES.has(key) ? redactSqlValues(inner) : inner]];
      return [[key, redactErrorParts(inner, depth + 1)]];
    }),
  );
}

/**
 * pino's error serializer, then the SQL values out of every message, stack, statement and cause: an
 * error log is read by more people than the data it would otherwise copy (an ID number, a phone).
 */
export function serializeError(error: unknown): unknown {
  const serialized = error instanceof Error ? pino.stdSerializers.err(error) : error;
  return redactErrorParts(serialized, 0);
}

/** Structured JSON logs; sensitive request headers and SQL values never reach them. */
export function createLogger(config: Pick<AppConfig, 'logLevel'>, destination?: DestinationStream): Logger {
  const options = {
    level: config.logLevel,
    base: { service: 'wanjia-server' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    serializers: { err: serializeError, error: serializeError },
  };
  return destination ? pino(options, destination) : pino(options);
}

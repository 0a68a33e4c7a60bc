import pino, { type Logger } from 'pino';
import type { AppConfig } from './config';

export type { Logger };

/** Structured JSON logs; sensitive request headers never reach them. */
export function createLogger(config: Pick<AppConfig, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'wanjia-server' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
  });
}

import type { AppConfig } from '../../config';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * What is insecure about this server's configuration, said plainly at start (outside production; a
 * production configuration refuses the worst of these instead). Empty when there is nothing to say.
 */
export function developmentWarnings(config: AppConfig, secretFile: string | null): string[] {
  if (config.nodeEnv === 'production') return [];
  const lines: string[] = [];
  const reachable = LOOPBACK.has(config.host)
    ? `listens on ${config.host} only: other machines cannot reach it (HOST=0.0.0.0 opens it to the network, with everything below)`
    : `listens on ${config.host}: OTHER MACHINES ON THE NETWORK CAN REACH IT, with everything below`;
  lines.push(`${reachable};`);
  lines.push('plain HTTP: passwords and tokens cross the network unencrypted (production runs behind a TLS proxy);');
  if (config.seedDemoData) lines.push('demo data: the demo accounts sign in with passwords published in the README;');
  if (config.devSignIn) lines.push('DEV_SIGN_IN is on: anyone who reaches the server signs in as a demo cadre without WeChat;');
  if (config.introspection) lines.push(`introspection${config.playground ? ' and the GraphQL IDE' : ''} are on: signed-in administrators and analysts can read the whole schema;`);
  if (config.safelistMode === 'off') lines.push('the persisted-operation safelist is off: cadres and anonymous callers may send any operation;');
  if (!config.rateLimits.enabled) lines.push('rate limits are off;');
  if (secretFile) lines.push(`tokens are signed with a random secret kept in ${secretFile} (set JWT_SECRET to choose one);`);
  return [`Development mode (NODE_ENV=${config.nodeEnv}) is not for real data:`, ...lines.map((line) => `  - ${line}`)];
}

/**
 * Production settings that open what production keeps closed by default, one line each, said at every
 * start (in the log, as warnings) so that a switch left on from a trial does not go unnoticed.
 */
export function productionWarnings(config: AppConfig): string[] {
  if (config.nodeEnv !== 'production') return [];
  const lines: string[] = [];
  if (config.introspection) {
    lines.push(
      `INTROSPECTION is on in production: signed-in administrators and analysts can read the whole schema${config.playground ? ', and the GraphQL IDE is served at /graphql' : ''}; unset it unless you need it`,
    );
  } else if (config.playground) {
    lines.push('PLAYGROUND is on in production: the GraphQL IDE is served at /graphql');
  }
  if (config.safelistMode === 'off') lines.push('SAFELIST_MODE=off in production: cadres and anonymous callers may send any operation, not only the mini-program’s');
  if (!config.rateLimits.enabled) lines.push('RATE_LIMITS=false in production: sign-in, writes, reads and photo uploads are not rate-limited');
  return lines;
}

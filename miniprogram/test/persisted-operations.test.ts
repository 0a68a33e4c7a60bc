import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * The server runs only safelisted documents for cadres in production, and the safelist is the
 * committed shared/persisted-operations.json. A .graphql change without `pnpm persisted:write` would
 * lock cadres out of the changed operation after deployment, so it fails here (after `pnpm codegen`).
 */
it('the committed safelist matches the documents codegen hashed (run `pnpm persisted:write` after changing src/graphql)', () => {
  const script = path.resolve(__dirname, '../scripts/persisted-operations.mjs');
  expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
});

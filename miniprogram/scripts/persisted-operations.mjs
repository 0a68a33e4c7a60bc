// Copies the persisted-documents manifest codegen wrote (src/graphql/generated/persisted-documents.json,
// hash → document) to shared/persisted-operations.json, the safelist the server loads; with --check it
// only compares them and fails when the committed safelist is stale. Run `pnpm codegen` first.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const GENERATED_MANIFEST = path.join(root, 'src/graphql/generated/persisted-documents.json');
export const COMMITTED_MANIFEST = path.resolve(root, '../shared/persisted-operations.json');

/** The manifest as committed: sorted by hash, so that a diff shows only real changes. */
export function committedFormOf(manifest) {
  const sorted = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => a.localeCompare(b)));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

function main() {
  if (!fs.existsSync(GENERATED_MANIFEST)) {
    process.stderr.write(`${path.relative(process.cwd(), GENERATED_MANIFEST)} is missing: run pnpm codegen first\n`);
    process.exit(1);
  }
  const expected = committedFormOf(JSON.parse(fs.readFileSync(GENERATED_MANIFEST, 'utf8')));
  if (process.argv.includes('--check')) {
    const committed = fs.existsSync(COMMITTED_MANIFEST) ? fs.readFileSync(COMMITTED_MANIFEST, 'utf8') : '';
    if (committed !== expected) {
      process.stderr.write('shared/persisted-operations.json is stale: run `pnpm --filter @wanjia/miniprogram persisted:write`\n');
      process.exit(1);
    }
    process.stdout.write(`shared/persisted-operations.json is up to date (${Object.keys(JSON.parse(expected)).length} operations)\n`);
    return;
  }
  fs.writeFileSync(COMMITTED_MANIFEST, expected);
  process.stdout.write(`wrote shared/persisted-operations.json (${Object.keys(JSON.parse(expected)).length} operations)\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

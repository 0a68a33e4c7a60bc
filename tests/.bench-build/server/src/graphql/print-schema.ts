import fs from 'node:fs';
import path from 'node:path';
import { buildApiSchema, printApiSchema } from './schema';

/** Writes the API's SDL to the shared package, where the mini-program's codegen reads it. */
export const SCHEMA_FILE = path.resolve(__dirname, '..', '..', '..', 'shared', 'schema.graphql');

async function main(): Promise<void> {
  const sdl = printApiSchema(await buildApiSchema());
  fs.writeFileSync(SCHEMA_FILE, sdl);
  process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)} (${sdl.length} characters)\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
}

import fs from 'node:fs';
import { SCHEMA_FILE } from '../src/graphql/print-schema';
import { buildApiSchema, printApiSchema } from '../src/graphql/schema';

describe('the committed SDL', () => {
  it('matches the schema the server builds (run `pnpm schema:print` after changing the API)', async () => {
    const built = printApiSchema(await buildApiSchema());
    const committed = fs.readFileSync(SCHEMA_FILE, 'utf8');
    expect(committed).toBe(built);
  });
});

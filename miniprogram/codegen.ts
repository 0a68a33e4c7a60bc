import { createHash } from 'node:crypto';
import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Types the operations in src/graphql/*.graphql against the server's committed schema. Codegen fails
 * on an operation the schema no longer accepts, and `build` runs it first: a server change that
 * breaks the mini-program breaks the build.
 */
const config: CodegenConfig = {
  schema: '../shared/schema.graphql',
  documents: ['src/graphql/**/*.graphql'],
  ignoreNoDocuments: false,
  errorsOnly: true,
  hooks: { afterOneFileWrite: ['node scripts/pure-documents.mjs'] },
  generates: {
    'src/graphql/generated/': {
      preset: 'client',
      presetConfig: {
        fragmentMasking: false,
        gqlTagName: 'graphql',
        // Each document carries the sha256 of its printed text (the transport sends only the hash);
        // codegen also writes persisted-documents.json (hash → document), committed as
        // shared/persisted-operations.json: the safelist the server enforces for cadres in production.
        // Plain hex (no "sha256:" prefix) is the hash Apollo Server computes for a query's text.
        persistedDocuments: {
          mode: 'embedHashInDocument',
          hashAlgorithm: (document: string) => createHash('sha256').update(document).digest('hex'),
        },
      },
      config: {
        // Documents as plain strings: no graphql-js in the bundle (the weapp main package is size-capped).
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
        scalars: { DateTimeISO: 'string', LocalDate: 'string', SafeInt: 'number' },
      },
    },
  },
};

export default config;

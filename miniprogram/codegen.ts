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
      presetConfig: { fragmentMasking: false, gqlTagName: 'graphql' },
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

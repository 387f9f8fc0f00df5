import type { CodegenConfig } from '@graphql-codegen/cli'

// Typed documents for TypeScript runtimes and frontends, from the committed schema.graphql, and the
// possibleTypes map Apollo Client needs to read fields of union members (an error's code and message).
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: 'client/operations.graphql',
  emitLegacyCommonJSImports: false,
  generates: {
    'client/generated/': {
      preset: 'client',
      config: { useTypeImports: true, scalars: { DateTime: 'string', JSON: 'unknown' }, enumsAsTypes: true },
      presetConfig: { fragmentMasking: false },
    },
    'client/generated/possible-types.ts': { plugins: ['fragment-matcher'], config: { useExplicitTyping: true } },
  },
}
export default config

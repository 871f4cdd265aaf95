import nx from '@nx/eslint-plugin';

/**
 * Module boundaries: apps import libs, libs import only libs, tools import libs (backend libs too) and tools,
 * end-to-end projects import apps and libs;
 * frontends and backends share only `scope:shared` libs. No `* → *` catch-all.
 */
const depConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:app', 'type:lib'] },
  { sourceTag: 'scope:frontend', onlyDependOnLibsWithTags: ['scope:frontend', 'scope:shared'] },
  { sourceTag: 'scope:backend', onlyDependOnLibsWithTags: ['scope:backend', 'scope:shared'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  // The CLI manages the database (migrations, API keys, join tokens), so tools may use backend LIBS
  // (type:tool still depends on type:lib/type:tool only: never on an app).
  { sourceTag: 'scope:tooling', onlyDependOnLibsWithTags: ['scope:tooling', 'scope:shared', 'scope:backend'] },
];

export default [
  { ignores: ['**/dist/**', '**/.next/**', '**/.next-*/**', '**/node_modules/**', 'tmp/**', '.nx/**', '.hypernode/**', '**/next-env.d.ts'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints }],
      // noUncheckedIndexedAccess is on, so a `!` after a checked lookup is deliberate.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // The end-to-end project drives the real apps in one process: it alone may import their sources.
    files: ['apps/pipeline-e2e/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: ['@hypernode/api/**', '@hypernode/automation/**', '@hypernode/gpu-worker/**', '@hypernode/realtime/**'], depConstraints },
      ],
    },
  },
];

import { defineConfig } from 'vitest/config';

// Shared by every project's `test` target (nx run <project>:test runs `vitest run --dir <root>`).
export default defineConfig({
  test: {
    include: ['**/*.spec.ts', '**/*.spec.tsx'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.next/**'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

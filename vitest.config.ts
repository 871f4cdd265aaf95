import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Shared by every project's `test` target (nx run <project>:test runs `vitest run --dir <root>`).
export default defineConfig({
  test: {
    include: ['**/*.spec.ts', '**/*.spec.tsx'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.next/**'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A limit on the whole run (Vitest has none and hangs on a worker that dies while starting);
    // the app role a run's stacks created in the machine's PostgreSQL dropped again at its end.
    globalSetup: ['./libs/testing/src/run-limit.ts', './libs/testing/src/app-role.ts'],
    // Instance leases (libs/instances) of every stack a test starts go to a temp folder, never the user's ~/.hypernode.
    env: { HYPERNODE_HOME: join(tmpdir(), 'hypernode-test-home') },
  },
});

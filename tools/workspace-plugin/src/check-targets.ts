import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';

/** Where each project's Vitest JSON report goes; `npm test` adds them up. */
export const TEST_REPORT_DIR = 'tmp/test-reports';

function hasSpec(dir: string): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    if (entry.isDirectory() ? hasSpec(join(dir, entry.name)) : /\.spec\.tsx?$/.test(entry.name)) return true;
  }
  return false;
}

/** `test`: Vitest over the project's *.spec.ts files, with a JSON report for the totals. */
export function testTarget(root: string, projectRoot: string, name: string): TargetConfiguration | undefined {
  if (!hasSpec(join(root, projectRoot))) return undefined;
  return {
    executor: 'nx:run-commands',
    options: {
      command: `vitest run --dir ${projectRoot} --reporter=default --reporter=json --outputFile.json=${TEST_REPORT_DIR}/${name}.json`,
      cwd: '.',
    },
    metadata: { description: `Vitest over ${projectRoot}; report in ${TEST_REPORT_DIR}/${name}.json`, technologies: ['vitest'] },
  };
}

/** `typecheck`: tsc --noEmit over the project's tsconfig.json (specs included). */
export function typecheckTarget(root: string, projectRoot: string): TargetConfiguration | undefined {
  if (!existsSync(join(root, projectRoot, 'tsconfig.json'))) return undefined;
  return {
    executor: 'nx:run-commands',
    options: { command: `tsc -p ${projectRoot}/tsconfig.json --noEmit`, cwd: '.' },
    metadata: { description: `Type-check ${projectRoot}`, technologies: ['typescript'] },
  };
}

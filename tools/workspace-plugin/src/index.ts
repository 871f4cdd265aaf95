import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createNodesFromFiles, type CreateNodesV2, type TargetConfiguration } from '@nx/devkit';
import { isAppKind, listServices, loadRegistry, REGISTRY_RELATIVE_PATH } from '@hypernode/ports';
import { buildTarget } from './build-target.js';
import { frontendServerTargets } from './frontend-targets.js';
import { testTarget, typecheckTarget } from './check-targets.js';
import { describeFailure, RUN_ID_ENV, takeServeFailures } from './executors/serve/failures.js';
import { serveTarget } from './serve-target.js';

/**
 * Infers, for every project (apps, libs, tools and bench/): `typecheck` and `test`; and for every app the port registry
 * lists, a continuous `serve`. The glob includes the registry itself so that editing it
 * invalidates Nx's cache of these results.
 */
export const createNodesV2: CreateNodesV2 = [
  `{{apps,libs,tools}/*/project.json,bench/project.json,${REGISTRY_RELATIVE_PATH}}`,
  (files, options, context) => {
    const root = context.workspaceRoot;
    const services = listServices({ registry: loadRegistry(join(root, REGISTRY_RELATIVE_PATH)), env: {} });
    return createNodesFromFiles(
      (file) => {
        const projectRoot = dirname(file);
        const name = (JSON.parse(readFileSync(join(root, file), 'utf8')) as { name?: string }).name ?? projectRoot;
        const service = services.find((s) => s.name === name && isAppKind(s.kind));
        const targets: Record<string, TargetConfiguration | undefined> = {
          build: service && buildTarget(root, projectRoot),
          ...(service?.kind === 'frontend' ? frontendServerTargets(root, projectRoot, name) : {}),
          serve: service && serveTarget(root, projectRoot, service),
          test: testTarget(root, projectRoot, name),
          typecheck: typecheckTarget(root, projectRoot),
        };
        const defined = Object.fromEntries(Object.entries(targets).filter(([, t]) => t !== undefined)) as Record<string, TargetConfiguration>;
        return { projects: { [projectRoot]: { targets: defined } } };
      },
      files.filter((f) => f.endsWith('project.json')),
      options,
      context,
    );
  },
];

/**
 * Hands every task of an Nx run the run's id, so the serve executor can file a failure under it.
 * Nx records what this hook sets on process.env and applies it to the Nx process, whose
 * environment every task inherits.
 */
export async function preTasksExecution(_options: unknown, context: { id: string }): Promise<void> {
  process.env[RUN_ID_ENV] = context.id;
}

/**
 * Fails the Nx command when an app of this run exited on its own with a failure: Nx 23.2.1
 * counts such continuous tasks as successes (see executors/serve/failures.ts).
 */
export async function postTasksExecution(_options: unknown, context: { id: string; workspaceRoot: string }): Promise<void> {
  const failures = takeServeFailures(context.workspaceRoot, context.id);
  if (failures.length === 0) return;
  throw new Error(`${failures.length === 1 ? 'an app' : `${failures.length} apps`} failed: ${failures.map(describeFailure).join('; ')}`);
}

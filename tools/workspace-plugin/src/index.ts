import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createNodesFromFiles, type CreateNodesV2, type TargetConfiguration } from '@nx/devkit';
import { isAppKind, listServices, loadRegistry, REGISTRY_RELATIVE_PATH } from '@hypernode/ports';
import { testTarget, typecheckTarget } from './check-targets.js';
import { serveTarget } from './serve-target.js';

/**
 * Infers, for every project: `typecheck` and `test`; and for every app the port registry
 * lists, a continuous `serve`. The glob includes the registry itself so that editing it
 * invalidates Nx's cache of these results.
 */
export const createNodesV2: CreateNodesV2 = [
  `{{apps,libs,tools}/*/project.json,${REGISTRY_RELATIVE_PATH}}`,
  (files, options, context) => {
    const root = context.workspaceRoot;
    const services = listServices({ registry: loadRegistry(join(root, REGISTRY_RELATIVE_PATH)), env: {} });
    return createNodesFromFiles(
      (file) => {
        const projectRoot = dirname(file);
        const name = (JSON.parse(readFileSync(join(root, file), 'utf8')) as { name?: string }).name ?? projectRoot;
        const service = services.find((s) => s.name === name && isAppKind(s.kind));
        const targets: Record<string, TargetConfiguration | undefined> = {
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

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';
import type { ResolvedService } from '@hypernode/ports';

/** Entry files a serve target may start, first found wins: a frontend's dev-server script, else a Node app's main. */
export const SERVE_ENTRIES = ['serve.ts', 'src/main.ts'] as const;

/**
 * Environment variable naming the absolute workspace root that every process of the stack
 * carries (`WORKSPACE_MARKER` in @hypernode/port-inspect, which reads it back from
 * /proc/<pid>/environ so `hypernode ports free` knows the process is ours). Spelled out here
 * because the plugin loads in Nx's CommonJS context, where that ESM library is not imported.
 */
export const WORKSPACE_MARKER_ENV = 'HYPERNODE_WORKSPACE';

/**
 * The inferred, continuous `serve` target of one registry app. The port is NOT passed on
 * the command line: the app resolves it at start from the registry, so env overrides,
 * profiles and instances apply; the description shows the registry's answer. `root` must be
 * absolute: it becomes the stack marker (Nx's `{workspaceRoot}` token resolves to a relative
 * path in options, so it cannot carry it).
 */
export function serveTarget(root: string, projectRoot: string, service: ResolvedService): TargetConfiguration | undefined {
  const entry = SERVE_ENTRIES.find((file) => existsSync(join(root, projectRoot, file)));
  if (!entry) return undefined;
  return {
    executor: 'nx:run-commands',
    continuous: true,
    options: {
      command: `node --import tsx ${entry}`,
      cwd: projectRoot,
      env: { HYPERNODE_SERVICE: service.name, [WORKSPACE_MARKER_ENV]: root },
    },
    metadata: {
      description: `Serve ${service.name} on port ${service.port} (${service.url}) from libs/ports/registry.json; override with ${service.envVar}, HYPERNODE_PROFILE or HYPERNODE_INSTANCE`,
      technologies: ['hypernode'],
    },
  };
}

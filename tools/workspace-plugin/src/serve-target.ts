import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';
import type { ResolvedService } from '@hypernode/ports';

/** Entry files a serve target may start, first found wins: a frontend's dev-server script, else a Node app's main. */
export const SERVE_ENTRIES = ['serve.ts', 'src/main.ts'] as const;

/**
 * The inferred, continuous `serve` target of one registry app. The port is NOT passed on
 * the command line: the app resolves it at start from the registry, so env overrides,
 * profiles and instances apply; the description shows the registry's answer.
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
      env: { HYPERNODE_SERVICE: service.name },
    },
    metadata: {
      description: `Serve ${service.name} on port ${service.port} (${service.url}) from libs/ports/registry.json; override with ${service.envVar}, HYPERNODE_PROFILE or HYPERNODE_INSTANCE`,
      technologies: ['hypernode'],
    },
  };
}

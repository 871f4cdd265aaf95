import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetConfiguration, TargetDependencyConfig } from '@nx/devkit';
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

/** The task every serve target waits for: `hypernode infra` (tools/cli), which checks or starts PostgreSQL and Redis, migrates and writes .hypernode/. */
export const INFRA_DEPENDENCY: TargetDependencyConfig = { projects: ['cli'], target: 'infra' };

/** Where `hypernode infra` keeps the join token the GPU workers register with (tools/cli/src/credentials/dev-files.ts). */
export const DEV_JOIN_TOKEN_FILE = '.hypernode/join-token';
/** Where it leaves the one-time sign-in URLs (tools/cli/src/stack/sign-in-file.ts). */
export const DEV_SIGN_IN_FILE = '.hypernode/sign-in.json';

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
    executor: '@hypernode/workspace-plugin:serve',
    continuous: true,
    // PostgreSQL and Redis up, migrations applied, development credentials in .hypernode/.
    dependsOn: [INFRA_DEPENDENCY],
    options: {
      entry,
      cwd: projectRoot,
      // A Node app runs from an esbuild bundle made at start (half the CPU of tsx's per-module
      // loading); a frontend's dev-server script stays on tsx (Vite and Next load the workspace's
      // TypeScript libraries through it, and it finds its app folder from its own path).
      ...(entry === 'src/main.ts' ? { bundle: true } : {}),
      // Frontends' dev servers (Vite, Next) are not traced: the traces are the Node services'
      // (README, Traces). The preload would cost each one ~2-3 s of CPU at start (measured on
      // llm-deployer: 33 -> 36 s), beside the other apps starting.
      env: { HYPERNODE_SERVICE: service.name, [WORKSPACE_MARKER_ENV]: root, ...(service.kind === 'frontend' ? { OTEL_SDK_DISABLED: 'true' } : {}) },
      ...(service.kind === 'worker' ? { secretFiles: { HYPERNODE_JOIN_TOKEN: DEV_JOIN_TOKEN_FILE } } : {}),
      ...(service.kind === 'frontend' ? { signInFile: DEV_SIGN_IN_FILE } : {}),
    },
    metadata: {
      description: `Serve ${service.name} on port ${service.port} (${service.url}) from libs/ports/registry.json; override with ${service.envVar}, HYPERNODE_PROFILE or HYPERNODE_INSTANCE`,
      technologies: ['hypernode'],
    },
  };
}

import { resolve } from 'node:path';
import type { CreateNodesContextV2, CreateNodesResult } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { createNodesV2 } from './index.js';

const workspaceRoot = resolve(__dirname, '../../..');
const context = { workspaceRoot, nxJsonConfiguration: {} } as CreateNodesContextV2;

async function nodesFor(files: string[]): Promise<Record<string, CreateNodesResult>> {
  const results = await createNodesV2[1](files, undefined, context);
  return Object.fromEntries(results.map(([file, result]) => [file, result]));
}

describe('workspace plugin', () => {
  it('infers a continuous serve target for each registry app, with the port in its description and none on its command line', async () => {
    const nodes = await nodesFor(['apps/api/project.json', 'apps/site/project.json', 'libs/ports/registry.json']);
    const api = nodes['apps/api/project.json']!.projects!['apps/api']!.targets!;
    expect(api.serve).toMatchObject({
      executor: '@hypernode/workspace-plugin:serve',
      continuous: true,
      dependsOn: [{ projects: ['cli'], target: 'infra' }],
      options: { entry: 'src/main.ts', cwd: 'apps/api', env: { HYPERNODE_SERVICE: 'api' } },
    });
    expect(api.serve!.metadata!.description).toMatch(/Serve api on port 3002 .*API_PORT/);
    expect(JSON.stringify(api.serve!.options)).not.toMatch(/3002/);
    const site = nodes['apps/site/project.json']!.projects!['apps/site']!.targets!;
    expect(site.serve!.options).toMatchObject({ entry: 'serve.ts', signInFile: '.hypernode/sign-in.json' });
  });

  it('gives libraries test and typecheck targets but no serve', async () => {
    const nodes = await nodesFor(['libs/ports/project.json']);
    const targets = nodes['libs/ports/project.json']!.projects!['libs/ports']!.targets!;
    expect(Object.keys(targets).sort()).toEqual(['test', 'typecheck']);
    expect(targets.test!.options.command).toContain('--outputFile.json=tmp/test-reports/ports.json');
  });
});

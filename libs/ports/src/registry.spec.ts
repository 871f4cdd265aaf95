import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_REGISTRY, loadRegistry, registryPath } from './registry.js';
import { SERVICE_NAMES } from './service-names.js';

describe('workspace registry', () => {
  it('is valid and lists exactly the names of service-names.ts', () => {
    const registry = loadRegistry();
    expect(registry.services.map((s) => s.name)).toEqual([...SERVICE_NAMES]);
  });
});

describe('registry lookup outside the workspace (a bundled app)', () => {
  /** Runs `fn` with the current directory and the running script both outside any workspace. */
  function outside<T>(fn: () => T): T {
    const dir = mkdtempSync(join(tmpdir(), 'hypernode-no-registry-'));
    const [cwd, script, env] = [process.cwd(), process.argv[1], process.env.HYPERNODE_REGISTRY];
    process.chdir(dir);
    process.argv[1] = join(dir, 'main.js');
    delete process.env.HYPERNODE_REGISTRY;
    try {
      return fn();
    } finally {
      process.chdir(cwd);
      process.argv[1] = script!;
      if (env === undefined) delete process.env.HYPERNODE_REGISTRY;
      else process.env.HYPERNODE_REGISTRY = env;
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('uses the registry compiled in when no file is found, with the same services as the file', () => {
    const fromFile = loadRegistry();
    const builtIn = outside(() => loadRegistry());
    expect(builtIn.file).toBe(BUILT_IN_REGISTRY);
    expect(builtIn.services).toEqual(fromFile.services);
    expect(() => outside(() => registryPath())).toThrow(/set HYPERNODE_REGISTRY/);
  });

  it('still reads HYPERNODE_REGISTRY when it is set, and names it when it cannot be read', () => {
    expect(() =>
      outside(() => {
        process.env.HYPERNODE_REGISTRY = join(tmpdir(), 'hypernode-missing-registry.json');
        return loadRegistry();
      }),
    ).toThrow(/hypernode-missing-registry\.json.*cannot be read \(ENOENT\)/s);
  });
});

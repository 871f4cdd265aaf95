import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; engines?: { node?: string } | string[] }> };

describe('the locked dependencies run on the Node the workspace supports', () => {
  it('every package in package-lock.json accepts the lowest Node of our `engines` and the one running here (`npm ci` prints no EBADENGINE)', () => {
    const lowest = semver.minVersion(manifest.engines.node)!.version;
    const refused: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      // Old packages wrote `engines` as an array of strings; npm ignores that form, so do we.
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (!path || !range) continue;
      for (const node of [lowest, process.versions.node]) {
        if (!semver.satisfies(node, range)) refused.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version}: engines.node "${range}" refuses Node ${node} (pin a release that supports it)`);
      }
    }
    expect(refused).toEqual([]);
  });
});

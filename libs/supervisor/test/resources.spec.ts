import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import pidtree from 'pidtree';
import { afterEach, describe, expect, it } from 'vitest';
import { processTrees, sampleTree } from '../src/resources.js';

const started: Array<() => void> = [];
afterEach(() => started.splice(0).forEach((stop) => stop()));

/** A real tree: bash, a child sleep, and a subshell with its own sleep (a grandchild). */
async function tree(): Promise<number> {
  const child = spawn('bash', ['-c', 'sleep 30 & (sleep 30 & wait) & wait'], { stdio: 'ignore', detached: true });
  started.push(() => process.kill(-child.pid!, 'SIGKILL'));
  for (let i = 0; i < 50 && (await pidtree(child.pid!)).length < 3; i++) await sleep(50);
  return child.pid!;
}

describe('process trees of the supervised services', () => {
  it('reads the same descendants as pidtree (ps) from one pass over /proc, for several roots at once', async () => {
    const [a, b] = [await tree(), await tree()];
    const trees = await processTrees([a, b]);
    for (const root of [a, b]) {
      const ours = trees.get(root)!;
      expect(ours.length).toBe(4);
      expect([...ours].sort()).toEqual((await pidtree(root, { root: true })).sort());
    }
    const usage = await sampleTree(trees.get(a)!);
    expect(usage!.memoryBytes).toBeGreaterThan(0);
  });

  it('gives a root that is gone an empty tree, and no usage', async () => {
    const root = await tree();
    process.kill(-root, 'SIGKILL');
    for (let i = 0; i < 50 && (await processTrees([root])).get(root)!.length > 0; i++) await sleep(50);
    const trees = await processTrees([root]);
    expect(trees.get(root)).toEqual([]);
    expect(await sampleTree([])).toBeUndefined();
  });
});

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linkNodeModules } from '@hypernode/testing';
import { BenchHarnessError, WORKSPACE } from './processes.js';

/**
 * A copy of the workspace to run whole-workspace commands in (Nx, `npm start`), never the live
 * one, whose cache, outputs and `.hypernode/` stay untouched: the committed files (`git archive
 * HEAD`), a node_modules of links into the live one's (its own `@hypernode/*` links and tool
 * caches: @hypernode/testing linkNodeModules) and the CLI's bundle. `remove()` deletes it.
 */
export function copyWorkspace(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hn-bench-ws-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const archive = spawnSync('sh', ['-c', `git -C "${WORKSPACE}" archive HEAD | tar -x -C "${dir}"`], { encoding: 'utf8', timeout: 120_000 });
  if (archive.status !== 0) {
    remove();
    throw new BenchHarnessError(`copying the workspace (git archive HEAD) into ${dir} failed: ${archive.stderr || archive.error?.message}`);
  }
  // Linked, not copied (800 MB): every package resolves to the same files, so what is measured is the same.
  linkNodeModules(WORKSPACE, dir);
  // Copied now, so newer than the archived sources: the CLI runs its bundle, not tsx.
  const cliBundle = join(WORKSPACE, 'tools', 'cli', 'dist');
  if (existsSync(cliBundle)) cpSync(cliBundle, join(dir, 'tools', 'cli', 'dist'), { recursive: true });
  return { dir, remove };
}

import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Caches tools write under node_modules (Vite's dependency optimiser, babel, …): the copy gets its own. */
const NODE_MODULES_CACHES = new Set(['.vite', '.vite-temp', '.cache']);

/**
 * Gives `dir` a node_modules made of links into `root`'s, except the workspace's own
 * `@hypernode/*` packages, which link into `dir` — so Nx (and every import) in the copy resolves
 * to the copy's projects (a plain link to the real node_modules would lead them back to `root`) —
 * and the tools' caches, which the copy starts without (its dev servers must not write into `root`'s).
 */
export function linkNodeModules(root: string, dir: string): void {
  const target = join(dir, 'node_modules');
  mkdirSync(join(target, '@hypernode'), { recursive: true });
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry !== '@hypernode' && !NODE_MODULES_CACHES.has(entry)) symlinkSync(join(root, 'node_modules', entry), join(target, entry));
  }
  for (const pkg of readdirSync(join(root, 'node_modules', '@hypernode'))) {
    const real = resolve(join(root, 'node_modules', '@hypernode'), readlinkSync(join(root, 'node_modules', '@hypernode', pkg)));
    symlinkSync(join(dir, relative(root, real)), join(target, '@hypernode', pkg));
  }
}

/** Copies the committed files of the workspace at `root` into `dir` and links its node_modules. */
export function copyWorkspace(root: string, dir: string): void {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(root, file), join(dir, file));
  }
  linkNodeModules(root, dir);
}

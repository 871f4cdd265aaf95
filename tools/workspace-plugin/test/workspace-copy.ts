import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The real workspace root. */
export const ROOT = resolve(__dirname, '../../..');

/**
 * Gives `dir` a node_modules made of links into the real one, except the workspace's own
 * `@hypernode/*` packages, which link into `dir` — so Nx in the copy resolves imports to the
 * copy's projects (a plain link to the real node_modules would lead them back to ROOT).
 */
export function linkNodeModules(dir: string): void {
  const target = join(dir, 'node_modules');
  mkdirSync(join(target, '@hypernode'), { recursive: true });
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry !== '@hypernode') symlinkSync(join(ROOT, 'node_modules', entry), join(target, entry));
  }
  for (const pkg of readdirSync(join(ROOT, 'node_modules', '@hypernode'))) {
    const real = resolve(join(ROOT, 'node_modules', '@hypernode'), readlinkSync(join(ROOT, 'node_modules', '@hypernode', pkg)));
    symlinkSync(join(dir, relative(ROOT, real)), join(target, '@hypernode', pkg));
  }
}

/** Copies the committed files of the workspace into `dir` and links its node_modules. */
export function copyWorkspace(dir: string): void {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dir, file));
  }
  linkNodeModules(dir);
}

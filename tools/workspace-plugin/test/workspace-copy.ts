import { resolve } from 'node:path';
import { copyWorkspace as copyInto, linkNodeModules as linkInto } from '@hypernode/testing';

/** The real workspace root. */
export const ROOT = resolve(__dirname, '../../..');

/** Gives `dir` a node_modules of links into ROOT's, the workspace's own packages linked into `dir` (see @hypernode/testing). */
export function linkNodeModules(dir: string): void {
  linkInto(ROOT, dir);
}

/** Copies the committed files of the workspace into `dir` and links its node_modules. */
export function copyWorkspace(dir: string): void {
  copyInto(ROOT, dir);
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { THEME_STORAGE_KEY } from '@hypernode/ui/dashboard';

// public/theme.js runs before the first paint (index.html loads it in <head>): the stored theme,
// else the system's preference, on <html> before React mounts.
const SITE = join(__dirname, '..');
const script = readFileSync(join(SITE, 'public/theme.js'), 'utf8');

function run(stored: Record<string, string> | 'refused', systemDark: boolean): { theme?: string; colorScheme?: string } {
  const attributes: Record<string, string> = {};
  const style: { colorScheme?: string } = {};
  const localStorage = {
    getItem: (key: string) => {
      if (stored === 'refused') throw new Error('SecurityError: storage is disabled');
      return stored[key] ?? null;
    },
  };
  const window = { localStorage, matchMedia: (q: string) => ({ matches: q === '(prefers-color-scheme: dark)' && systemDark }) };
  runInNewContext(script, { window, document: { documentElement: { setAttribute: (k: string, v: string) => void (attributes[k] = v), style } } });
  return { theme: attributes['data-theme'], colorScheme: style.colorScheme };
}

describe('public/theme.js (the theme before the first paint)', () => {
  it('applies the choice stored under the key useTheme writes, whatever the system prefers', () => {
    expect(run({ [THEME_STORAGE_KEY]: 'dark' }, false)).toEqual({ theme: 'dark', colorScheme: 'dark' });
    expect(run({ [THEME_STORAGE_KEY]: 'light' }, true)).toEqual({ theme: 'light', colorScheme: 'light' });
  });

  it('follows the system without a stored choice, with an unknown one, or when storage is refused', () => {
    expect(run({}, true).theme).toBe('dark');
    expect(run({}, false).theme).toBe('light');
    expect(run({ [THEME_STORAGE_KEY]: 'sepia' }, true).theme).toBe('dark');
    expect(run('refused', true).theme).toBe('dark');
  });

  it('is loaded by index.html as a file in <head>, before the app (a CSP of script-src \'self\' allows it)', () => {
    const html = readFileSync(join(SITE, 'index.html'), 'utf8');
    const head = html.slice(0, html.indexOf('</head>'));
    expect(head).toContain('<script src="/theme.js"></script>');
    expect(html.indexOf('/theme.js')).toBeLessThan(html.indexOf('/src/main.tsx'));
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
  });
});

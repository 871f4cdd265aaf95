import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const cwd = resolve(__dirname, '../../..');

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd }).lintText(code, { filePath: resolve(cwd, filePath) });
  return result!.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('module boundaries (eslint.config.mjs)', () => {
  it('forbids a lib importing an app', async () => {
    // The rule reports either the app import itself or the cycle it makes (api → ports).
    const errors = await boundaryErrors('libs/ports/src/x.ts', "import { buildApp } from '@hypernode/api/src/app.js';\nexport const x = buildApp;\n");
    expect(errors.join('\n')).toMatch(/Imports of apps are forbidden|Circular dependency between "ports" and "api"/);
  });

  it('forbids a shared lib importing a tool', async () => {
    expect(await boundaryErrors('libs/health/src/x.ts', "import { main } from '@hypernode/cli/src/main.js';\nexport const x = main;\n")).not.toEqual([]);
  });

  it('lets an app import a shared lib', async () => {
    expect(await boundaryErrors('apps/api/src/x.ts', "import { portFor } from '@hypernode/ports';\nexport const x = portFor;\n")).toEqual([]);
  });
});

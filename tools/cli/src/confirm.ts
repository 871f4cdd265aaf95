import { CliError } from './common.js';

/** Asks y/N on the terminal; without one, refuses naming the flag that skips the question. */
export async function confirm(question: string, skipFlag: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new CliError(`${question.trim()} — no terminal to confirm on: add ${skipFlag} to go ahead without asking`);
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

// The small scripts behind `npm run bench:ports`, `bench:port-taken` and `ci:affected` take no
// arguments, only environment variables: a stray flag or a bad count is refused by name
// instead of being ignored (a typo'd `--runs 50` silently measuring 15 runs).

/** Exits 2 naming the arguments when `argv` holds any; `hint` says what the script takes instead. */
export function refuseArguments(script, argv, hint) {
  if (argv.length === 0) return;
  console.error(`${script}: takes no arguments (got ${argv.map((a) => JSON.stringify(a)).join(' ')}); ${hint}`);
  process.exit(2);
}

/** BENCH_RUNS as a whole number 1–1000, `fallback` when unset; exits 2 naming a bad value. */
export function runsFromEnv(script, fallback, env = process.env) {
  const raw = env.BENCH_RUNS;
  if (raw === undefined || raw === '') return fallback;
  const runs = Number(raw);
  if (Number.isInteger(runs) && runs >= 1 && runs <= 1000) return runs;
  console.error(`${script}: BENCH_RUNS=${JSON.stringify(raw)} is not a whole number 1–1000: unset it (default ${fallback}) or give e.g. BENCH_RUNS=31`);
  process.exit(2);
}

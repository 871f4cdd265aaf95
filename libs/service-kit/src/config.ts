import * as z from 'zod';

/**
 * A setting a service cannot use. Names the variable, the value it had and what is expected,
 * so the one line a service prints at start-up is enough to fix it.
 */
export class ConfigError extends Error {
  readonly code = 'E_CONFIG';
  constructor(
    readonly service: string,
    readonly problems: ReadonlyArray<{ variable: string; value: string | undefined; expected: string }>,
  ) {
    super(
      `${service} cannot start: ` +
        problems.map((p) => `${p.variable}=${p.value === undefined ? '(unset)' : JSON.stringify(p.value)} is not valid: ${p.expected}`).join('; '),
    );
    this.name = 'ConfigError';
  }
}

/** The variables a service reads, each a zod schema over the raw string (or undefined). */
export type EnvShape = Record<string, z.ZodType<unknown, string | undefined>>;

/**
 * Parses the environment against a service's schema — once, at start-up — and throws ONE
 * ConfigError listing every bad variable. Empty strings count as unset, so `X= npm start`
 * means "use the default".
 */
export function parseEnv<S extends EnvShape>(service: string, shape: S, env: NodeJS.ProcessEnv = process.env): { [K in keyof S]: z.output<S[K]> } {
  const raw: Record<string, string | undefined> = {};
  for (const name of Object.keys(shape)) raw[name] = env[name] === '' ? undefined : env[name];
  const result = z.object(shape).safeParse(raw);
  if (result.success) return result.data as { [K in keyof S]: z.output<S[K]> };
  const problems = result.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? '(environment)');
    return { variable, value: raw[variable], expected: issue.message };
  });
  throw new ConfigError(service, problems);
}

/** Schemas for the kinds of settings services read; each message says what is expected. */
export const env = {
  /** A whole number in [min, max], default `fallback`. */
  int: (fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER) =>
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return fallback;
        const n = Number(v);
        if (/^-?\d+$/.test(v.trim()) && n >= min && n <= max) return n;
        const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `${min}–${max}`;
        ctx.addIssue({ code: 'custom', message: `expected a whole number ${range} (default ${fallback})` });
        return z.NEVER;
      }),
  /** A number in [min, max], default `fallback` (undefined: optional). */
  num: <F extends number | undefined>(fallback: F, min: number, max: number) =>
    z
      .string()
      .optional()
      .transform((v, ctx): number | F => {
        if (v === undefined) return fallback;
        const n = Number(v.trim() === '' ? 'x' : v);
        if (Number.isFinite(n) && n >= min && n <= max) return n;
        ctx.addIssue({ code: 'custom', message: `expected a number ${min}–${max}${fallback === undefined ? '' : ` (default ${fallback})`}` });
        return z.NEVER;
      }),
  /** Any string, default `fallback` (undefined: optional). */
  str: <F extends string | undefined>(fallback: F) => z.string().optional().transform((v): string | F => v ?? fallback),
  /** A URL with one of the given schemes, default `fallback`. */
  url: (fallback: string | undefined, schemes: readonly string[]) =>
    z
      .string()
      .optional()
      .transform((v, ctx): string | undefined => {
        const value = v ?? fallback;
        if (value === undefined) return undefined;
        try {
          if (schemes.includes(new URL(value).protocol.replace(/:$/, ''))) return value;
        } catch {
          // fall through to the issue below
        }
        ctx.addIssue({ code: 'custom', message: `expected a ${schemes.join(' or ')} URL, e.g. ${schemes[0]}://localhost/…` });
        return z.NEVER;
      }),
  /** A secret of at least `minLength` characters; required when `required`. */
  secret: (minLength: number, required: boolean, hint: string) =>
    z
      .string()
      .optional()
      .transform((v, ctx): string | undefined => {
        if (v === undefined && !required) return undefined;
        if (v !== undefined && v.length >= minLength) return v;
        ctx.addIssue({ code: 'custom', message: `expected a secret of at least ${minLength} characters (${hint})` });
        return z.NEVER;
      }),
};

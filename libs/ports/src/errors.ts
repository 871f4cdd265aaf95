/** One problem found in the registry file, with where it is. */
export interface RegistryProblem {
  /** JSON path inside the file, e.g. `services[2].port`. */
  path: string;
  /** What is wrong and how to fix it. */
  message: string;
}

/** The registry file could not be read or is invalid; lists every problem found at once. */
export class RegistryError extends Error {
  readonly code = 'E_REGISTRY_INVALID';
  constructor(
    readonly file: string,
    readonly problems: RegistryProblem[],
  ) {
    super(
      `Port registry ${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  - ${file}: ${p.path}: ${p.message}`).join('\n'),
    );
    this.name = 'RegistryError';
  }
}

/** An environment variable, flag or option holds a value that cannot be used. */
export class PortConfigError extends Error {
  readonly code = 'E_PORT_CONFIG';
  constructor(
    /** The variable or option name, e.g. `API_PORT` or `--instance`. */
    readonly variable: string,
    /** The value as given. */
    readonly value: string,
    /** What a valid value looks like. */
    readonly expected: string,
  ) {
    super(`${variable}=${JSON.stringify(value)} is not valid: expected ${expected}. Fix or unset ${variable}.`);
    this.name = 'PortConfigError';
  }
}

/** A service name that the registry does not list. */
export class UnknownServiceError extends Error {
  readonly code = 'E_UNKNOWN_SERVICE';
  constructor(
    readonly service: string,
    readonly known: readonly string[],
    readonly file: string,
  ) {
    super(`Unknown service "${service}": ${file} lists ${known.join(', ')}. Use one of those names or add it with \`npx nx g @hypernode/workspace-plugin:service ${service}\`.`);
    this.name = 'UnknownServiceError';
  }
}

import { describeHolders, type Listener } from '@hypernode/port-inspect';
import { portEnvVar } from '@hypernode/ports';

/** A service could not bind its port because another process holds it. */
export class PortInUseError extends Error {
  readonly code = 'E_PORT_IN_USE';
  constructor(
    readonly service: string,
    readonly port: number,
    readonly holders: readonly Listener[],
  ) {
    const who = holders.length > 0 ? describeHolders(holders) : 'a process this user cannot see';
    super(
      `${service} cannot start: port ${port} is already in use by ${who}. ` +
        `Fix: stop it with \`npx hypernode ports free ${port}\`, or run ${service} elsewhere with ${portEnvVar(service)}=<free port>.`,
    );
    this.name = 'PortInUseError';
  }
}

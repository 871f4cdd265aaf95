import { findListeners } from '@hypernode/port-inspect';
import { PortInUseError } from './errors.js';

/**
 * Throws PortInUseError when anything listens on `port`, on any address of either family.
 * A bind probe would miss a holder on the other family (e.g. ::1 while we bind 0.0.0.0),
 * so this asks the OS for its listener table instead.
 */
export function assertPortFree(service: string, port: number): void {
  const holders = findListeners([port]).get(port) ?? [];
  if (holders.length > 0) throw new PortInUseError(service, port, holders);
}

/** True for the errors a server raises when its port is taken (Node's code or Vite's text). */
export function isAddressInUse(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  return e?.code === 'EADDRINUSE' || /already in use/i.test(e?.message ?? '');
}

/** True for the errors of binding `::` on a machine without IPv6. */
export function isNoIpv6(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL';
}

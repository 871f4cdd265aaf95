/** Base of every lease error: a `code` the CLI prints as one line (what, where, fix). */
export class InstanceError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A pinned slot (HYPERNODE_INSTANCE=N) is held by another live checkout. */
export class SlotTakenError extends InstanceError {
  constructor(slot: number, holder: { path: string; pid: number }, variable: string) {
    super('E_SLOT_TAKEN', `instance ${slot} is held by ${holder.path} (pid ${holder.pid}). Fix: unset ${variable} to take the lowest free slot, pin another one (${variable}=<0–99>), or stop that checkout's stack`);
  }
}

/** This checkout already runs a stack under another live process. */
export class CheckoutRunningError extends InstanceError {
  constructor(path: string, slot: number, pid: number) {
    super('E_CHECKOUT_RUNNING', `${path} already runs as instance ${slot} (pid ${pid}). Fix: use that stack, or stop it first (Ctrl-C in its terminal, or \`kill ${pid}\`); \`npx hypernode instances\` lists every running checkout`);
  }
}

/** Every slot 0–99 is held. */
export class NoFreeSlotError extends InstanceError {
  constructor(file: string) {
    super('E_NO_FREE_SLOT', `every instance slot is held (see ${file}). Fix: stop a checkout's stack, or release stale leases with \`npx hypernode instances prune\``);
  }
}

/** The lease file's lock could not be taken within the bound. */
export class LeaseLockError extends InstanceError {
  constructor(file: string, ms: number, cause: string) {
    super('E_LEASE_LOCK', `could not lock ${file} within ${ms} ms (${cause}). Fix: retry; if no hypernode command is running, remove ${file}.lock`);
  }
}

/** The lease file is not what this code wrote. */
export class LeaseFileError extends InstanceError {
  constructor(file: string, problem: string) {
    super('E_LEASE_FILE', `${file} is not a valid lease file (${problem}). Fix: delete it (running stacks re-register on their next start)`);
  }
}

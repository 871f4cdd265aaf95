/** How big a run is: 'small' fits `npm test`, 'full' is the sizes. */
export type Size = 'small' | 'full';

/** Figures a scenario measured, printed as `key=value` on its line. */
export type Figures = Record<string, string | number | boolean | null>;

/** What a scenario reports. */
export interface ScenarioResult {
  name: string;
  pass: boolean;
  figures: Figures;
}

/** A scenario: builds its own stack, runs the fault, measures, tears everything down. */
export interface Scenario {
  name: string;
  /** One line: the fault and the pass condition. */
  description: string;
  run(size: Size): Promise<ScenarioResult>;
}

/** Collects named pass conditions; `failed` lists the ones that did not hold. */
export class Checks {
  private readonly results: Array<[string, boolean]> = [];
  /** Records one condition. */
  expect(name: string, ok: boolean): boolean {
    this.results.push([name, ok]);
    return ok;
  }
  get pass(): boolean {
    return this.results.every(([, ok]) => ok);
  }
  /** Names of the conditions that failed, comma-separated ('' when all held). */
  get failed(): string {
    return this.results.filter(([, ok]) => !ok).map(([n]) => n).join(',');
  }
}

/** Picks the small or full value. */
export const bySize = <T>(size: Size, small: T, full: T): T => (size === 'small' ? small : full);

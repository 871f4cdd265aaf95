/** Options of `nx g @hypernode/workspace-plugin:service`. */
export interface ServiceGeneratorSchema {
  /** Service and project name. */
  name: string;
  /** Template and port range to use. */
  kind: 'http' | 'worker' | 'frontend';
  /** A port to claim instead of the lowest free one. */
  port?: number;
  /** What the service is, for the port map. */
  purpose?: string;
  /** Skip `npm install` afterwards. */
  skipInstall?: boolean;
}

/** Options of `nx g @hypernode/workspace-plugin:remove-service`. */
export interface RemoveServiceGeneratorSchema {
  name: string;
  skipInstall?: boolean;
}

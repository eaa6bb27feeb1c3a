/** Options every command accepts (defined once on the program in cli.ts). */
export interface GlobalOptions {
  env?: string;
  context?: string;
  debug?: boolean;
  color?: boolean;
}

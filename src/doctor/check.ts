export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of `foundation doctor`. */
export interface Check {
  check: string;
  status: CheckStatus;
  detail: string;
}

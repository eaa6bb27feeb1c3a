/**
 * How many interrupts tofu itself saw, read from what it prints for each: the first
 * ("Interrupt received." then a graceful stop) and the second ("Two interrupts
 * received. Exiting immediately."), tofu's own words in internal/command/meta.go.
 */
export function interruptsSeen(output: string): number {
  const first = output.split('Interrupt received.').length - 1;
  const second = output.split('Two interrupts received').length - 1;
  return first + second;
}

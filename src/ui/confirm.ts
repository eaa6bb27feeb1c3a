import { createInterface } from 'node:readline/promises';

/** Asks on the terminal; only "yes" confirms, as tofu's own prompt does. Ctrl-C answers no. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const aborted = new AbortController();
  rl.on('SIGINT', () => aborted.abort());
  try {
    const answer = await rl.question(`${question} Only 'yes' will be accepted: `, { signal: aborted.signal });
    return answer.trim() === 'yes';
  } catch {
    return false;
  } finally {
    rl.close();
  }
}

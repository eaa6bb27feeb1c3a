/** Where a stack's output goes (tofu's, and foundation's lines about it): a live stream, a buffer, a task list. */
export type OutputSink = (text: string) => void;

/** What a stack's task gets: where its output goes, and a way to say what it is doing. */
export interface StackIO {
  write: OutputSink;
  phase(label: string): void;
}

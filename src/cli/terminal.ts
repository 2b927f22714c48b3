/**
 * The command line's view of the terminal. Commands write through a `Terminal` instead of
 * `console`/`process.stdout` so tests can capture exactly what a user would see.
 */

export interface Terminal {
  /** One line of normal output (stdout): results that scripts may parse. */
  out(line: string): void;
  /** One line of diagnostics (stderr): progress, warnings, errors. */
  err(line: string): void;
  /** Set when stderr is an interactive terminal: the progress bar draws there. */
  progressStream?: NodeJS.WriteStream;
}

/** The real terminal of this process. */
export function processTerminal(): Terminal {
  const terminal: Terminal = {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
  };
  if (process.stderr.isTTY) terminal.progressStream = process.stderr;
  return terminal;
}

/** A terminal that records lines, for tests. */
export function recordingTerminal(): Terminal & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => void stdout.push(line), err: (line) => void stderr.push(line) };
}

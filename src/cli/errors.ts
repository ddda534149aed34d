/** An error meant for the person at the terminal: printed as one line, then the process exits non-zero. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'CliError';
  }
}

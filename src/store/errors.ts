/**
 * The block log cannot be trusted past `offset`: the node must stop, never skip blocks silently.
 * The message is one line that says what is wrong, that the file was left as it was, and how to go on.
 */
export class StoreCorruptError extends Error {
  /** Where an intact frame follows the damage (why it is not an interrupted write), when one does. */
  readonly intactAt: number | undefined;

  constructor(
    readonly path: string,
    readonly offset: number,
    detail: string,
    options: { intactAt?: number; advice?: string } = {},
  ) {
    super(`block log ${path} is corrupt at byte ${offset}: ${detail}. ${options.advice ?? damageAdvice(path, offset, options.intactAt)}`);
    this.name = 'StoreCorruptError';
    this.intactAt = options.intactAt;
  }
}

/** The way on from damage in the middle of the log: the bytes before it are good, the file is as it was. */
function damageAdvice(path: string, offset: number, intactAt: number | undefined): string {
  const why = intactAt === undefined ? '' : `An intact frame follows at byte ${intactAt}, so this is damage, not an interrupted write. `;
  return (
    `${why}The file is untouched; the blocks before byte ${offset} are intact. To go on, restore it from a backup, ` +
    `or keep a copy and cut it at the damage (cp ${path} ${path}.damaged && truncate -s ${offset} ${path}): ` +
    'the node then starts from the blocks before it, and later blocks must be mined or fetched again.'
  );
}

/** A log in an older format could not be rewritten in the current one (a full disk, most likely). */
export class StoreMigrationError extends Error {
  constructor(
    readonly path: string,
    cause: Error,
    logBytes: number,
  ) {
    super(
      `cannot rewrite block log ${path} in the current format (${cause.message}). The log is untouched, still in its old format; ` +
        `free room for a copy beside it (${logBytes} bytes plus 4 a block) and start again.`,
      { cause },
    );
    this.name = 'StoreMigrationError';
  }
}

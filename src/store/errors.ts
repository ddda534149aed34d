/** The block log cannot be trusted past `offset`: the node must stop, never skip blocks silently. */
export class StoreCorruptError extends Error {
  constructor(
    readonly path: string,
    readonly offset: number,
    detail: string,
  ) {
    super(`block log ${path} is corrupt at byte ${offset}: ${detail}`);
    this.name = 'StoreCorruptError';
  }
}

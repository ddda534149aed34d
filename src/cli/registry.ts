/** The `carechain` commands. Each lives in its own module, loaded only when it runs. */
export interface Command {
  summary: string;
  run(args: string[]): Promise<number | void>;
}

interface CommandModule {
  run(args: string[]): Promise<number | void>;
}

function lazy(summary: string, load: () => Promise<CommandModule>): Command {
  return { summary, run: async (args) => (await load()).run(args) };
}

export const commands: Record<string, Command> = {
  hash: lazy('SHA-256d of hex bytes, shown in display (byte-reversed) order', () => import('./commands/hash.js')),
  scan: lazy('scan a nonce range of an 80-byte header against a target', () => import('./commands/scan.js')),
  bench: lazy('benchmarks: kernels, threads, chain, http, sync, propagation, all', () => import('./commands/bench.js')),
  puzzle: lazy("the seed's puzzle on every core: lowest nonce whose SHA-256(prefix + nonce) has N leading zeros", () => import('./commands/puzzle.js')),
  start: lazy('run a node: mine on every core, serve the HTTP API and metrics', () => import('./commands/start.js')),
  keygen: lazy('make an Ed25519 key pair (an account) and write it to a key file', () => import('./commands/keygen.js')),
  send: lazy('send a signed transfer through a node', () => import('./commands/send.js')),
  record: lazy('anchor a document: a salted commitment on chain, the salt kept locally', () => import('./commands/record.js')),
  receipt: lazy('fetch and save the receipt of a mined transaction, for carechain verify', () => import('./commands/receipt.js')),
  verify: lazy('check a transaction receipt offline: signature, Merkle path, proof of work, document', () => import('./commands/verify.js')),
};

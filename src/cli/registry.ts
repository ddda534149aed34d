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
  bench: lazy('benchmarks: kernels, threads, chain, http, stratum, consent, sync, propagation, all', () => import('./commands/bench.js')),
  puzzle: lazy("the seed's puzzle on every core: lowest nonce whose SHA-256(prefix + nonce) has N leading zeros", () => import('./commands/puzzle.js')),
  start: lazy('run a node: mine on every core, serve the HTTP API, metrics and Stratum', () => import('./commands/start.js')),
  mine: lazy('mine through a Stratum v1 pool (a carechain node or any sha256d pool) on every core', () => import('./commands/mine.js')),
  keygen: lazy('make an Ed25519 key pair (an account) and write it to a key file', () => import('./commands/keygen.js')),
  send: lazy('send a signed transfer through a node', () => import('./commands/send.js')),
  record: lazy('anchor a document: a salted commitment on chain, the salt kept locally', () => import('./commands/record.js')),
  enrol: lazy("link a subject pseudonym to a patient key, countersigned by the patient", () => import('./commands/enrol.js')),
  consent: lazy('grant, revoke or list a patient’s consents to providers', () => import('./commands/consent.js')),
  access: lazy("check the patient's consent, log a read of a record on chain, print its locator", () => import('./commands/access.js')),
  receipt: lazy('fetch and save the receipt of a mined transaction, for carechain verify', () => import('./commands/receipt.js')),
  verify: lazy('check a receipt: the proofs, the headers on top, and its block against a node, checkpoint or headers file', () => import('./commands/verify.js')),
  headers: lazy("export the node's best-chain headers from genesis, for carechain verify --headers", () => import('./commands/headers.js')),
};

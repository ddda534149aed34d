import { performance } from 'node:perf_hooks';
import type { Block } from '../src/chain/block.js';
import { Chain } from '../src/chain/chain.js';
import { generateKeyPair, type KeyPair } from '../src/chain/keys.js';
import type { Network } from '../src/chain/network.js';
import { buildTransfer } from '../src/chain/signing.js';
import { encodeTx, type SignedTx } from '../src/chain/tx.js';
import { TxAdmission } from '../src/node/admission.js';

/**
 * Admission into a full mempool (issue 9's flood): a pool of `poolSize` cheap transfers, then
 * `flood` transfers that each pay more than the last, so every one is admitted and the pool keeps
 * making room. Timed twice: through the chain alone (prepare + commit, Ed25519 included), and
 * through the node's durable admission path (journal fsync'd, group commit, `inFlight` submissions
 * at a time). Blocks are mined with `mine`, the chain bench's near-free proof of work.
 */
export interface FullPoolReport {
  poolSize: number;
  flood: number;
  /** Chain only: transactions admitted a second, and how many the pool evicted meanwhile. */
  chain: { txPerSecond: number; admitted: number; evicted: number };
  /** Through the journal: the same flood on a fresh pool. */
  durable: { txPerSecond: number; admitted: number; evicted: number; inFlight: number };
}

const PER_SENDER = 60;

export async function fullPoolBench(
  network: Network,
  dataDir: (name: string) => string,
  poolSize: number,
  flood: number,
  mine: (chain: Chain, recipient: string) => Promise<Block>,
): Promise<FullPoolReport> {
  const senders = Array.from({ length: Math.ceil((poolSize + flood) / PER_SENDER) + 1 }, generateKeyPair);
  const { fill, rising } = transactions(network, senders, poolSize, flood);

  const chainRun = await fundedChain(network, dataDir('full-pool-chain'), senders, poolSize, mine);
  for (const tx of fill) chainRun.acceptTransaction(tx);
  let evicted = 0;
  chainRun.on('tx-evicted', () => evicted++);
  let start = performance.now();
  let admitted = 0;
  for (const tx of rising) if (chainRun.acceptTransaction(tx).accepted) admitted++;
  const chainSeconds = (performance.now() - start) / 1000;
  await chainRun.close();
  const chainResult = { txPerSecond: Math.round(admitted / chainSeconds), admitted, evicted };

  const dir = dataDir('full-pool-durable');
  const durableChain = await fundedChain(network, dir, senders, poolSize, mine);
  const { admission } = await TxAdmission.open(durableChain, dir);
  for (const tx of fill) durableChain.acceptTransaction(tx);
  let durableEvicted = 0;
  durableChain.on('tx-evicted', () => durableEvicted++);
  const inFlight = 64;
  const raws = rising.map(encodeTx);
  let next = 0;
  let durableAdmitted = 0;
  start = performance.now();
  // A sender's transactions go in order, as a wallet sends them; many senders at once.
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < raws.length; i = next++) {
        if ((await admission.admit(raws[i]!, 'api')).status === 'accepted') durableAdmitted++;
      }
    }),
  );
  const durableSeconds = (performance.now() - start) / 1000;
  await admission.close();
  await durableChain.close();
  return {
    poolSize,
    flood,
    chain: chainResult,
    durable: { txPerSecond: Math.round(durableAdmitted / durableSeconds), admitted: durableAdmitted, evicted: durableEvicted, inFlight },
  };
}

/** A chain whose senders each hold a mature reward, and a pool big enough for `poolSize`. */
async function fundedChain(network: Network, dataDir: string, senders: KeyPair[], poolSize: number, mine: (chain: Chain, recipient: string) => Promise<Block>): Promise<Chain> {
  const chain = await Chain.open({ dataDir, network, now: () => network.genesis.header.time + 1_000_000, mempool: { maxCount: poolSize, maxBytes: poolSize * 1000, maxPerSender: PER_SENDER } });
  for (const s of senders) await mine(chain, s.publicKey);
  const sink = generateKeyPair().publicKey;
  for (let i = 0; i < network.coinbaseMaturity; i++) await mine(chain, sink);
  return chain;
}

/**
 * The pool's cheap fill (fee 100 + a little) and the flood, each transaction paying more than the
 * one before (so each beats the rolling minimum its predecessors raised). Senders are taken in
 * turn so no one sender's chain is evicted whole at once.
 */
function transactions(network: Network, senders: KeyPair[], poolSize: number, flood: number): { fill: SignedTx[]; rising: SignedTx[] } {
  const sink = generateKeyPair().publicKey;
  const sequence = new Map<string, number>();
  const next = (s: KeyPair) => {
    const n = sequence.get(s.publicKey) ?? 0;
    sequence.set(s.publicKey, n + 1);
    return n;
  };
  const fill: SignedTx[] = [];
  const rising: SignedTx[] = [];
  const fillSenders = senders.slice(0, Math.ceil(poolSize / PER_SENDER));
  const floodSenders = senders.slice(fillSenders.length);
  for (let i = 0; i < poolSize; i++) {
    const s = fillSenders[i % fillSenders.length]!;
    fill.push(buildTransfer({ network, privateKey: s.privateKey, sequence: next(s), fee: 100 + (i % 50), recipient: sink, amount: 1 }));
  }
  for (let i = 0; i < flood; i++) {
    const s = floodSenders[i % floodSenders.length]!;
    rising.push(buildTransfer({ network, privateKey: s.privateKey, sequence: next(s), fee: 200_000 + 400 * i, recipient: sink, amount: 1 }));
  }
  return { fill, rising };
}

import type { Block } from '../src/chain/block.js';
import type { Chain } from '../src/chain/chain.js';
import { sha256d } from '../src/chain/hash.js';
import { encodeHeader, NONCE_OFFSET, type BlockHeader } from '../src/chain/header.js';
import { COIN, defineNetwork, type Network } from '../src/chain/network.js';
import { bitsToTarget, leBytesToBigInt } from '../src/chain/target.js';

/**
 * The benchmarks' miner: grinds a header's nonce in plain JS (node:crypto) until it meets its own
 * bits. On the bench networks nearly every hash does; on the test network a few thousand do.
 */
export function grind(header: BlockHeader): BlockHeader {
  const target = bitsToTarget(header.bits);
  const bytes = Buffer.from(encodeHeader(header));
  for (let nonce = 0; nonce < 2 ** 32; nonce++) {
    bytes.writeUInt32LE(nonce, NONCE_OFFSET);
    if (leBytesToBigInt(sha256d(bytes)) <= target) {
      header.nonce = nonce;
      return header;
    }
  }
  throw new Error('no nonce meets the target');
}

/** Mine the chain's own template for `recipient` one spacing after the tip, and submit it. */
export async function mineTemplate(chain: Chain, recipient: string): Promise<Block> {
  const block = chain.template(recipient, { time: chain.tip().header.time + chain.network.targetSpacing }).blockFor(0, 0);
  return submitMined(chain, block);
}

/** Grind and submit a block the benchmark built; a refusal is a bug of the benchmark. */
export async function submitMined(chain: Chain, block: Block): Promise<Block> {
  grind(block.header);
  const result = await chain.submitBlock(block, 'api');
  if (result.status !== 'accepted') throw new Error(`bench block rejected: ${JSON.stringify(result)}`);
  return block;
}

/**
 * The benchmarks' network: the test network's rules with a target half of all hashes meet, so
 * building 10,000 blocks costs no mining (the proof-of-work check still runs on every block).
 */
export function benchNetwork(): Network {
  return defineNetwork({
    name: 'bench',
    powLimitBits: 0x207fffff,
    targetSpacing: 1,
    retargetWindow: 10,
    maxBlockBytes: 1_000_000,
    maxFutureSeconds: 7200,
    initialSubsidy: 50 * COIN,
    halvingInterval: 210_000,
    coinbaseMaturity: 5,
    genesisTime: 1767225600,
  });
}

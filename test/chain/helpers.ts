import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Chain, type ChainOptions } from '../../src/chain/chain.js';
import { computeMerkleRoot, type Block } from '../../src/chain/block.js';
import { encodeHeader, NONCE_OFFSET, type BlockHeader } from '../../src/chain/header.js';
import { generateKeyPair, type KeyPair } from '../../src/chain/keys.js';
import { networks, type Network } from '../../src/chain/network.js';
import { bitsToTarget, leBytesToBigInt } from '../../src/chain/target.js';

/** Test fixtures: temp data dirs, a pure-JS (node:crypto) miner, chains pinned to a clock. */
export const testNet = networks.test;

const dirs: string[] = [];

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'carechain-test-'));
  dirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A clock far enough after genesis that test blocks (one a second) are never "too new". */
export const NOW = testNet.genesis.header.time + 100_000;

export async function openChain(options: Partial<ChainOptions> = {}): Promise<Chain> {
  return Chain.open({ dataDir: options.dataDir ?? tempDir(), network: testNet, now: () => NOW, extranonce1: 7, ...options });
}

/** Grind the nonce until the header meets its own bits (mutates and returns the header). */
export function solveHeader(header: BlockHeader): BlockHeader {
  const target = bitsToTarget(header.bits);
  const bytes = Buffer.from(encodeHeader(header));
  for (let nonce = 0; nonce < 2 ** 32; nonce++) {
    bytes.writeUInt32LE(nonce, NONCE_OFFSET);
    const hash = createHash('sha256').update(createHash('sha256').update(bytes).digest()).digest();
    if (leBytesToBigInt(hash) <= target) {
      header.nonce = nonce;
      return header;
    }
  }
  throw new Error('no nonce');
}

/** Mine the chain's own template (optionally at a chosen time) and submit it. */
export async function mineNext(
  chain: Chain,
  options: { recipient?: string; time?: number; spacing?: number; extranonce?: number } = {},
): Promise<Block> {
  const tip = chain.tip();
  const time = options.time ?? tip.header.time + (options.spacing ?? chain.network.targetSpacing);
  const template = chain.template(options.recipient ?? burnKey, { time });
  const block = template.blockFor(options.extranonce ?? 0, 0);
  solveHeader(block.header);
  const result = await chain.submitBlock(block, 'api');
  if (result.status !== 'accepted') throw new Error(`own block rejected: ${JSON.stringify(result)}`);
  return block;
}

export async function mineMany(chain: Chain, count: number, options: Parameters<typeof mineNext>[1] = {}): Promise<Block[]> {
  const blocks: Block[] = [];
  for (let i = 0; i < count; i++) blocks.push(await mineNext(chain, options));
  return blocks;
}

/** A key nobody will spend from: coinbase sink for blocks whose reward does not matter. */
export const burnKey = '11'.repeat(32);

export function keys(): KeyPair {
  return generateKeyPair();
}

export type { Network };

/** Recompute the Merkle root (unless told not to) and grind a valid nonce: a block that passes PoW whatever else it breaks. */
export function seal(block: Block, options: { keepMerkleRoot?: boolean } = {}): Block {
  if (!options.keepMerkleRoot) block.header.merkleRoot = computeMerkleRoot(block.txs);
  solveHeader(block.header);
  return block;
}

/** The chain's next template as an unsealed block (time: one spacing after the tip unless given). */
export function draft(chain: Chain, options: { time?: number; recipient?: string } = {}): Block {
  const time = options.time ?? chain.tip().header.time + chain.network.targetSpacing;
  const block = chain.template(options.recipient ?? burnKey, { time }).blockFor(0, 0);
  block.header.time = time; // templates never go below median-time-past; drafts may, to test that rule
  return block;
}

/**
 * A fresh chain in which each key holds one spendable reward: a block paid to each, in order, then
 * the network's coinbase maturity in blocks so every reward can be spent in the next one. Tests that
 * spend or mine build on a chain of their own from this, so none depends on what another left.
 */
export async function fundedChain(funded: readonly { publicKey: string }[], options: Partial<ChainOptions> = {}): Promise<Chain> {
  const chain = await openChain(options);
  for (const key of funded) await mineNext(chain, { recipient: key.publicKey });
  await mineMany(chain, chain.network.coinbaseMaturity);
  return chain;
}

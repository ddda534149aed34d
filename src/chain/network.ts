import { computeMerkleRoot, type Block } from './block.js';
import { encodeHeader, headerHash, type BlockHeader } from './header.js';
import { toDisplayHex } from './hash.js';
import type { RetargetParams } from './retarget.js';
import { bitsToTarget, hashMeetsTarget } from './target.js';
import type { CoinbaseTx } from './tx.js';

/**
 * Networks are parameter sets. `dev` (the default) starts at an easy target and retargets to a
 * block every ~15 s; `test` starts at a target a pure-JS miner meets in milliseconds (~4,096 hashes)
 * and retargets to a block a second, which on one ~9 MH/s kernel core means ~9 M hashes a block.
 */
export interface Network extends RetargetParams {
  name: string;
  maxBlockBytes: number;
  /** Seconds a block's time may run ahead of the node's clock. */
  maxFutureSeconds: number;
  /** Subsidy of the first blocks (base units); halves every `halvingInterval` blocks. */
  initialSubsidy: number;
  halvingInterval: number;
  /** Blocks a coinbase reward waits before it may be spent (a reorg may still take it back). */
  coinbaseMaturity: number;
  genesis: Block;
  /** Display hex of the genesis block hash. */
  genesisHash: string;
}

export type NetworkName = 'dev' | 'test';

/** 1 coin = 10^8 base units; 50 coins a block, halving like Bitcoin, keeps all supply below 2^53. */
export const COIN = 100_000_000;

export interface NetworkParams extends Omit<Network, 'genesis' | 'genesisHash' | 'powLimit'> {
  genesisTime: number;
  /** The genesis nonce; when omitted it is searched for (custom networks, benchmarks). */
  genesisNonce?: number;
  /** The expected genesis header (hex): fixed in code, so a parameter change cannot move genesis silently. */
  genesisHeader?: string;
}

/** A network from its parameters, with its genesis block (mined here when no nonce is given). */
export function defineNetwork(params: NetworkParams): Network {
  const { genesisTime, genesisNonce, genesisHeader, ...rest } = params;
  const powLimit = bitsToTarget(params.powLimitBits);
  const genesis = genesisBlock(params.powLimitBits, genesisTime, genesisNonce ?? mineNonce(params.powLimitBits, genesisTime));
  if (genesisHeader !== undefined && Buffer.from(encodeHeader(genesis.header)).toString('hex') !== genesisHeader) {
    throw new Error(`network ${params.name}: parameters do not produce the fixed genesis header`);
  }
  return { ...rest, powLimit, genesis, genesisHash: toDisplayHex(headerHash(genesis.header)) };
}

export const networks: Record<NetworkName, Network> = {
  dev: defineNetwork({
    name: 'dev',
    powLimitBits: 0x1e0fffff,
    targetSpacing: 15,
    retargetWindow: 45,
    maxBlockBytes: 1_000_000,
    maxFutureSeconds: 2 * 60 * 60,
    initialSubsidy: 50 * COIN,
    halvingInterval: 210_000,
    coinbaseMaturity: 100,
    genesisTime: 1767225600, // 2026-01-01T00:00:00Z
    genesisNonce: 956025,
    genesisHeader:
      '010000000000000000000000000000000000000000000000000000000000000000000000dd466556cac72da6a2542fe4ee37fa2c' +
      '1371c1b7c6a91a4d4d93210b2399e35400b95569ffff0f1e79960e00',
  }),
  test: defineNetwork({
    name: 'test',
    powLimitBits: 0x1f0fffff,
    targetSpacing: 1,
    retargetWindow: 10,
    maxBlockBytes: 1_000_000,
    maxFutureSeconds: 2 * 60 * 60,
    initialSubsidy: 50 * COIN,
    halvingInterval: 210_000,
    // Blocks come every second and tests spend what they mine: a short wait, the same rule.
    coinbaseMaturity: 5,
    genesisTime: 1767225600,
    genesisNonce: 6542,
    genesisHeader:
      '010000000000000000000000000000000000000000000000000000000000000000000000dd466556cac72da6a2542fe4ee37fa2c' +
      '1371c1b7c6a91a4d4d93210b2399e35400b95569ffff0f1f8e190000',
  }),
};

export function getNetwork(name: string): Network {
  const network = networks[name as NetworkName];
  if (!network) throw new RangeError(`unknown network "${name}" (known: ${Object.keys(networks).join(', ')})`);
  return network;
}

/** Block subsidy at a height: halves every interval, zero after 64 halvings. */
export function subsidyAt(network: Network, height: number): number {
  const halvings = Math.floor(height / network.halvingInterval);
  return halvings >= 53 ? 0 : Math.floor(network.initialSubsidy / 2 ** halvings);
}

/** The genesis block: a zero-value coinbase to the all-zero key (spendable by nobody). */
export function genesisBlock(bits: number, time: number, nonce: number): Block {
  const coinbase: CoinbaseTx = {
    kind: 'coinbase',
    height: 0,
    recipient: new Uint8Array(32),
    extranonce1: 0,
    extranonce2: 0,
    value: 0,
  };
  const header: BlockHeader = {
    version: 1,
    prevHash: new Uint8Array(32),
    merkleRoot: computeMerkleRoot([coinbase]),
    time,
    bits,
    nonce,
  };
  return { header, txs: [coinbase] };
}

function mineNonce(bits: number, time: number): number {
  const target = bitsToTarget(bits);
  const block = genesisBlock(bits, time, 0);
  for (let nonce = 0; nonce < 2 ** 32; nonce++) {
    block.header.nonce = nonce;
    if (hashMeetsTarget(headerHash(block.header), target)) return nonce;
  }
  throw new Error('no genesis nonce in 2^32');
}

/** The genesis header as hex (for the record and for tests). */
export function genesisHeaderHex(network: Network): string {
  return Buffer.from(encodeHeader(network.genesis.header)).toString('hex');
}

import type { Network } from '../chain/network.js';
import { TX_BATCH_MAX_BYTES } from './limits.js';

/**
 * Names on the wire. Gossip topics and the data protocols carry the network id (the first 4 bytes of
 * the genesis hash), so nodes of different networks never mix messages; `status` and `goodbye` do
 * not, so a node on another network can still be told why it is refused.
 */
export type ReqRespName = 'status' | 'headers' | 'blocks' | 'ping' | 'goodbye' | 'mempool';
export const REQRESP_NAMES: readonly ReqRespName[] = ['status', 'headers', 'blocks', 'ping', 'goodbye', 'mempool'];

export type TopicName = 'block' | 'tx';
export const TOPIC_NAMES: readonly TopicName[] = ['block', 'tx'];

/** The first 4 bytes of the genesis hash, as hex: what topics and data protocols are named with. */
export function networkId(network: Network): string {
  return network.genesisHash.slice(0, 8);
}

export interface WireNames {
  topics: Record<TopicName, string>;
  protocols: Record<ReqRespName, string>;
  /** The largest gossip message accepted on each topic (for tx, a whole batch). */
  maxMessageBytes: Record<TopicName, number>;
}

export function wireNames(network: Network): WireNames {
  const id = networkId(network);
  return {
    // tx/2: a message is a batch of transactions (wire.ts encodeTxBatch); tx/1 carried one.
    topics: { block: `/carechain/${id}/block/1`, tx: `/carechain/${id}/tx/2` },
    protocols: {
      status: '/carechain/status/1',
      goodbye: '/carechain/goodbye/1',
      headers: `/carechain/${id}/headers/1`,
      blocks: `/carechain/${id}/blocks/1`,
      ping: `/carechain/${id}/ping/1`,
      mempool: `/carechain/${id}/mempool/1`,
    },
    maxMessageBytes: { block: network.maxBlockBytes, tx: TX_BATCH_MAX_BYTES },
  };
}

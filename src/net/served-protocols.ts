import { encodeBlock } from '../chain/block.js';
import type { Chain } from '../chain/chain.js';
import { MAX_HEADERS } from '../chain/chain.js';
import { encodeTx } from '../chain/tx.js';
import type { ReqResp } from './reqresp.js';
import {
  decodeGoodbye,
  decodeHashList,
  decodeHeadersRequest,
  decodeMempoolRequest,
  decodePing,
  decodeStatus,
  encodeHeaders,
  encodePing,
  encodeStatus,
  type GoodbyeReason,
  type PeerStatus,
} from './wire.js';

export interface ServedOptions {
  chain: Chain;
  /** A peer told us its status (it may be on another network: the caller decides). */
  onStatus(peer: string, status: PeerStatus): void;
  onGoodbye(peer: string, reason: GoodbyeReason): void;
}

/** This node's status, as it tells peers. */
export function localStatus(chain: Chain): PeerStatus {
  const tip = chain.tip();
  return { genesisHash: chain.network.genesisHash, tipHash: tip.hash, height: tip.height, totalWork: tip.totalWork };
}

/**
 * The server side of every request/response protocol, over the chain's read API. What a request may
 * cost is bounded by its decoder (≤ 101 locator hashes, ≤ 16 blocks, ≤ 1000 transactions) and by
 * the quotas in ReqResp; only stored bodies are served, so nothing leaves before it is on disk.
 */
export async function serveProtocols(reqresp: ReqResp, options: ServedOptions): Promise<void> {
  const { chain } = options;
  await reqresp.serve('status', {
    handle(peer, request) {
      options.onStatus(peer, decodeStatus(request));
      return { payload: encodeStatus(localStatus(chain)) };
    },
  });
  await reqresp.serve('goodbye', {
    handle(peer, request) {
      options.onGoodbye(peer, decodeGoodbye(request));
      return { payload: new Uint8Array(0) };
    },
  });
  await reqresp.serve('ping', {
    handle: (_peer, request) => ({ payload: encodePing(decodePing(request)) }),
  });
  await reqresp.serve('headers', {
    handle(_peer, request) {
      const { locator, stopHash } = decodeHeadersRequest(request);
      return { payload: encodeHeaders(chain.headersAfter(locator, stopHash, MAX_HEADERS)) };
    },
  });
  await reqresp.serve('blocks', {
    units: (request) => decodeHashList(request).length,
    handle(_peer, request) {
      const items: Uint8Array[] = [];
      for (const hash of decodeHashList(request)) {
        const info = chain.blockByHash(hash);
        if (info) items.push(encodeBlock(info.block));
      }
      return { items };
    },
  });
  await reqresp.serve('mempool', {
    handle(_peer, request) {
      const max = decodeMempoolRequest(request);
      return { items: chain.mempoolEntries().slice(0, max).map((e) => encodeTx(e.tx)) };
    },
  });
}

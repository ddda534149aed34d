/**
 * Every bound the peer-to-peer layer puts on what a peer can make the node do, in one place:
 * message sizes, queues, requests in flight, pending blocks, quotas and timeouts.
 */

/** One transaction on the wire, gossiped or in a mempool answer (a block is at most the network's maxBlockBytes). */
export const TX_GOSSIP_MAX_BYTES = 8 * 1024;
/**
 * Transactions are gossiped in batches: a node gathers the ones its clients gave it for this long
 * and sends them as one message (Bitcoin trickles its announcements the same way, over seconds).
 * Every message costs each node on its way a socket read, Noise and Yamux frames (and a window
 * update back), gossipsub's bookkeeping and a journal fsync, which a miner relaying hundreds a
 * second pays on the cores its workers mine on. Measured at 200 tx/s (bench propagation, miner on
 * both cores): 50 ms cost it 6.5 % of its hash rate, 100 ms 5.0 %, 250 ms 2.9 %, 500 ms 2.3 %.
 */
export const TX_RELAY_BATCH_MS = 250;
/** Transactions in one gossip message at most, and the message's bytes. */
export const TX_BATCH_MAX_COUNT = 256;
export const TX_BATCH_MAX_BYTES = 64 * 1024;
/** A gossipsub RPC frame may bundle a few messages; anything larger is dropped unread. */
export const GOSSIP_FRAME_SLACK_BYTES = 64 * 1024;
/** Gossip messages waiting for validation per topic; beyond this a new one is IGNOREd at once. */
export const GOSSIP_VALIDATION_QUEUE = 256;
/** Transactions of gossiped batches in validation at once (each costs a signature check); a batch beyond it is IGNOREd. */
export const GOSSIP_TX_VALIDATION_QUEUE = 1024;
/** How long a gossip block whose parent is unknown may wait for it before the answer is IGNORE. */
export const GOSSIP_PARENT_WAIT_MS = 2_000;

/** A request is small: a locator of ≤ 101 hashes, a batch of hashes, a count. */
export const MAX_REQUEST_BYTES = 8 * 1024;
/** Locator hashes a headers request may carry (Bitcoin's is ~ 10 + log2(height)). */
export const MAX_LOCATOR_HASHES = 101;
/** Blocks one blocks-by-hash request may ask for. */
export const MAX_BLOCKS_PER_REQUEST = 16;
/** Transactions one mempool answer may carry. */
export const MAX_MEMPOOL_SYNC = 1_000;

/** Requests this node has in flight to one peer, and that one peer may have open here. */
export const MAX_REQUESTS_IN_FLIGHT_PER_PEER = 4;
export const MAX_INBOUND_STREAMS_PER_PROTOCOL = 8;

/** Per request, from opening the stream to the last byte of the answer. */
export const REQUEST_TIMEOUT_MS = {
  status: 5_000,
  headers: 10_000,
  blocks: 20_000,
  ping: 5_000,
  goodbye: 1_000,
  mempool: 10_000,
} as const;

/**
 * Inbound quotas per peer and protocol, in units per window (a unit is a request, or a block for
 * blocks-by-hash, as Lodestar counts them): an honest syncing peer stays well inside them.
 */
export const REQUEST_QUOTAS = {
  status: { units: 5, windowMs: 15_000 },
  goodbye: { units: 2, windowMs: 10_000 },
  ping: { units: 5, windowMs: 10_000 },
  headers: { units: 30, windowMs: 10_000 },
  blocks: { units: 4_000, windowMs: 10_000 },
  mempool: { units: 2, windowMs: 60_000 },
} as const;

/** Body download: blocks ahead of the tip requested or buffered at once, and their bytes. */
export const SYNC_WINDOW_BLOCKS = 1_024;
export const SYNC_BUFFER_BYTES = 64 * 1024 * 1024;
/** The oldest missing body, requested this long ago from a peer that has not delivered, is asked elsewhere. */
export const SYNC_STALL_MS = 3_000;

/** Pending (orphan) blocks: parent unknown, held for the fetcher (issue 10 §3). */
export const PENDING_MAX_BLOCKS = 100;
export const PENDING_MAX_BYTES = 16 * 1024 * 1024;
export const PENDING_MAX_PER_PEER = 20;
export const PENDING_TTL_MS = 60 * 60 * 1000;

/** Scores, bans and peers remembered; the oldest are forgotten first. */
export const MAX_SCORED_PEERS = 1_000;
export const MAX_BANS = 1_000;
/** --peer addresses kept connected. */
export const MAX_CONFIGURED_PEERS = 64;

// A libp2p node that speaks carechain's wire with no chain behind it: the node's own stack and
// names, and an answer to the status handshake (genesis only) so a node admits it as a peer. The
// relay benchmark's feeder is one; the hostile-peer tests drive one by hand.
import { generateKeyPair } from '@libp2p/crypto/keys';
import { lpStream } from '@libp2p/utils';
import type { Network } from '../src/chain/network.js';
import { byteCounter } from '../src/net/byte-counter.js';
import { createHost, type Host } from '../src/net/libp2p-host.js';
import { wireNames, type WireNames } from '../src/net/protocols.js';
import { encodeStatus, ResponseStatus } from '../src/net/wire.js';

/** Started, on loopback, subscribed to `topics`; it says it holds only the genesis block, so nobody syncs from it. */
export async function startWirePeer(network: Network, topics: readonly (keyof WireNames['topics'])[]): Promise<{ host: Host; names: WireNames }> {
  const names = wireNames(network);
  const host = await createHost({
    privateKey: await generateKeyPair('Ed25519'),
    host: '127.0.0.1',
    port: 0,
    bootstrap: [],
    mdns: false,
    mdnsTag: 'none',
    maxPeers: 8,
    names,
    loopback: true,
    gater: {},
    metrics: byteCounter(() => undefined),
    appScore: () => 0,
  });
  await host.handle(names.protocols.status, async (stream) => {
    const lp = lpStream(stream);
    await lp.read();
    const status = { genesisHash: network.genesisHash, tipHash: network.genesisHash, height: 0, totalWork: 1n };
    await lp.write(Uint8Array.of(ResponseStatus.ok, ...encodeStatus(status)));
    await stream.close();
  });
  await host.start();
  for (const topic of topics) host.services.pubsub.subscribe(names.topics[topic]);
  return { host, names };
}

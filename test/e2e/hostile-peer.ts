import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from '@libp2p/utils';
import { multiaddr } from '@multiformats/multiaddr';
import { networks } from '../../src/chain/network.js';
import { byteCounter } from '../../src/net/byte-counter.js';
import { createHost, type Host } from '../../src/net/libp2p-host.js';
import { wireNames, type ReqRespName } from '../../src/net/protocols.js';
import { encodeStatus } from '../../src/net/wire.js';

/**
 * A peer under the test's control: a libp2p node of its own that speaks carechain's protocols
 * (the same stack and names), answers the status handshake so it is admitted, and then does
 * whatever the test asks — raw requests, raw gossip — with no validation of its own.
 */
export class HostilePeer {
  readonly names = wireNames(networks.test);

  private constructor(readonly host: Host) {}

  static async start(): Promise<HostilePeer> {
    const names = wireNames(networks.test);
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
      const status = { genesisHash: networks.test.genesisHash, tipHash: networks.test.genesisHash, height: 0, totalWork: 1n };
      await lp.write(Uint8Array.of(0, ...encodeStatus(status)));
      await stream.close();
    });
    await host.start();
    host.services.pubsub.subscribe(names.topics.block);
    host.services.pubsub.subscribe(names.topics.tx);
    return new HostilePeer(host);
  }

  get id(): string {
    return this.host.peerId.toString();
  }

  async dial(addr: string): Promise<void> {
    await this.host.dial(multiaddr(addr), { signal: AbortSignal.timeout(5_000) });
  }

  connectedTo(peerId: string): boolean {
    return this.host.getConnections(peerIdFromString(peerId)).length > 0;
  }

  /** One raw request; resolves with the status byte of the answer (or 'closed' when there was none). */
  async request(peerId: string, protocol: ReqRespName, payload: Uint8Array): Promise<number | 'closed'> {
    try {
      const stream = await this.host.dialProtocol(peerIdFromString(peerId), this.names.protocols[protocol], { signal: AbortSignal.timeout(5_000) });
      const lp = lpStream(stream, { maxDataLength: 4 * 1024 * 1024 });
      await lp.write(payload);
      const answer = await lp.read({ signal: AbortSignal.timeout(5_000) });
      await stream.close().catch(() => undefined);
      return answer.subarray()[0]!;
    } catch {
      return 'closed';
    }
  }

  async publish(topic: 'block' | 'tx', data: Uint8Array): Promise<void> {
    await this.host.services.pubsub.publish(this.names.topics[topic], data);
  }

  async stop(): Promise<void> {
    await this.host.stop();
  }
}

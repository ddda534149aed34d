import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from '@libp2p/utils';
import { multiaddr } from '@multiformats/multiaddr';
import { networks } from '../../src/chain/network.js';
import type { Host } from '../../src/net/libp2p-host.js';
import { wireNames, type ReqRespName } from '../../src/net/protocols.js';
import { startWirePeer } from '../../bench/wire-peer.js';

/**
 * A peer under the test's control: a libp2p node of its own that speaks carechain's protocols
 * (bench/wire-peer.ts: the same stack and names, the status handshake answered), and then does
 * whatever the test asks — raw requests, raw gossip — with no validation of its own.
 */
export class HostilePeer {
  readonly names = wireNames(networks.test);

  private constructor(readonly host: Host) {}

  static async start(): Promise<HostilePeer> {
    const { host } = await startWirePeer(networks.test, ['block', 'tx']);
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

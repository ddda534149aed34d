import { describe, expect, it } from 'vitest';
import { createNodeMetrics } from '../../src/metrics/registry.js';
import { FakeStatsSource } from './fake-stats-source.js';

describe('network metrics', () => {
  it('read peers and sync from the network at scrape time, and count events on fixed label sets', async () => {
    let syncing = true;
    const metrics = createNodeMetrics(new FakeStatsSource(), {
      defaultMetrics: false,
      network: () => ({ peers: () => ({ inbound: 2, outbound: 3 }), bestHeaderHeight: () => 250, syncing: () => syncing, blocksRemaining: () => 40 }),
    });
    metrics.network.gossipMessage('block', 'reject');
    metrics.network.gossipTransaction('accepted');
    metrics.network.gossipTransaction('accepted');
    metrics.network.request('blocks', 'server', 'rate-limited');
    metrics.network.bytes('in', 1500);
    metrics.network.bytes('out', -5); // never backwards
    metrics.network.peerBanned('invalid-block');
    let text = await metrics.metricsText();
    for (const line of [
      'carechain_peers{direction="inbound"} 2', 'carechain_peers{direction="outbound"} 3', 'carechain_best_header_height 250',
      'carechain_sync_state 1', 'carechain_sync_blocks_remaining 40', 'carechain_gossip_messages_total{topic="block",result="reject"} 1',
      'carechain_gossip_messages_total{topic="tx",result="accept"} 0', 'carechain_gossip_transactions_total{status="accepted"} 2',
      'carechain_gossip_transactions_total{status="known"} 0', 'carechain_reqresp_requests_total{protocol="blocks",role="server",result="rate-limited"} 1',
      'carechain_p2p_bytes_total{direction="in"} 1500', 'carechain_p2p_bytes_total{direction="out"} 0', 'carechain_peer_bans_total{reason="invalid-block"} 1',
      'carechain_peer_bans_total{reason="operator"} 0',
    ]) expect(text).toContain(line);
    syncing = false;
    text = await metrics.metricsText();
    expect(text).toContain('carechain_sync_state 0');
  });

  it('show no peers and a synced state for a node without the network', async () => {
    const text = await createNodeMetrics(new FakeStatsSource(), { defaultMetrics: false }).metricsText();
    expect(text).toContain('carechain_peers{direction="inbound"} 0');
    expect(text).toContain('carechain_sync_state 0');
  });
});

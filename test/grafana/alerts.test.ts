import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prometheusInstalled } from '../helpers/prometheus.js';
import { exportedSeriesNames } from './exported-series.js';
import { metricNamesIn } from './promql-names.js';
import { alertRulesIn } from './rule-file.js';

const RULES_FILE = 'grafana/alerts.yml';
const UNIT_TESTS_FILE = 'grafana/alerts.test.yml';
const rulesText = readFileSync(RULES_FILE, 'utf8');
const rules = alertRulesIn(rulesText);

/** The network's metrics (issue 11), which the rules are written against before they land. */
const NETWORK_METRICS = ['carechain_peers', 'carechain_best_header_height', 'carechain_sync_state', 'carechain_sync_blocks_remaining'];
/** Series Prometheus makes itself for each target. */
const PROMETHEUS_SERIES = ['up'];

/** Runs promtool's unit tests against `rules` (a rule file's text) in a scratch directory. */
function unitTestRules(rules: string): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'carechain-alerts-'));
  try {
    writeFileSync(join(dir, 'alerts.yml'), rules);
    copyFileSync(UNIT_TESTS_FILE, join(dir, 'alerts.test.yml'));
    const run = spawnSync('promtool', ['test', 'rules', join(dir, 'alerts.test.yml')], { encoding: 'utf8' });
    return { status: run.status, output: run.stdout + run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The rule file with one change inside one rule; throws unless `from` occurs exactly once there. */
function withChange(alert: string, from: string, to: string): string {
  const rule = rules.find((r) => r.alert === alert)!;
  const parts = rule.text.split(from);
  if (parts.length !== 2) throw new Error(`${alert}: "${from}" occurs ${parts.length - 1} times`);
  return rulesText.replace(rule.text, parts.join(to));
}

describe('grafana/alerts.yml', () => {
  it('holds the six alerts of issue 11', () => {
    expect(rules.map((r) => r.alert)).toEqual([
      'CarechainDown', 'CarechainNoPeers', 'CarechainSyncStalled', 'CarechainNoBlock', 'CarechainDeepReorg', 'CarechainHashRateHalved',
    ]);
  });

  it("names only metrics the node's registry exports, the network's metrics, and Prometheus's up", async () => {
    const known = new Set([...(await exportedSeriesNames()), ...NETWORK_METRICS, ...PROMETHEUS_SERIES]);
    for (const { alert, expr } of rules) {
      const names = metricNamesIn(expr);
      expect(names.length, alert).toBeGreaterThan(0);
      for (const name of names) expect(known.has(name), `${alert}: ${name}`).toBe(true);
    }
  });
});

describe.skipIf(!prometheusInstalled() && !process.env.CI)('grafana/alerts.yml under promtool', () => {
  it('is a valid rule file, loaded by grafana/prometheus.yml', () => {
    const rulesCheck = spawnSync('promtool', ['check', 'rules', RULES_FILE], { encoding: 'utf8' });
    expect(rulesCheck.status, rulesCheck.stdout + rulesCheck.stderr).toBe(0);
    // promtool counts the rules too: the reader above missed none.
    expect(rulesCheck.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
    const configCheck = spawnSync('promtool', ['check', 'config', 'grafana/prometheus.yml'], { encoding: 'utf8' });
    expect(configCheck.status, configCheck.stdout + configCheck.stderr).toBe(0);
    expect(configCheck.stdout).toContain('SUCCESS: 1 rule files found');
    expect(configCheck.stdout).toContain(`Checking grafana/alerts.yml\n  SUCCESS: ${rules.length} rules found`);
  });

  it('passes its unit tests (grafana/alerts.test.yml)', () => {
    const run = unitTestRules(rulesText);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain('SUCCESS');
  });

  // Each rule has a case that must fire: without the rule, its unit test fails.
  it.each(rules.map((r) => r.alert))('has a firing case for %s', (alert) => {
    const run = unitTestRules(rulesText.replace(rules.find((r) => r.alert === alert)!.text, ''));
    expect(run.status).not.toBe(0);
    expect(run.output).toContain(`alertname: ${alert}`);
  });

  // And the edges hold: each of these slightly wrong rules fails a case.
  it.each([
    ['CarechainDown', 'for: 1m', 'for: 45s', 'a node down for 45 s'],
    ['CarechainNoPeers', 'for: 5m', 'for: 4m', 'a node alone for less than 5 minutes'],
    ['CarechainNoPeers', 'sum without', 'min without', 'a node with outbound peers only'],
    ['CarechainSyncStalled', 'and changes(carechain_chain_height[5m]) == 0', '', 'a slow sync'],
    ['CarechainNoBlock', '> 150', '>= 150', 'exactly 150 s without a block'],
    ['CarechainNoBlock', '> 150', '> 165', '165 s without a block'],
    ['CarechainDeepReorg', 'le=~"6|6\\\\.0"', 'le=~"3|3\\\\.0"', 'a reorg exactly 6 deep'],
    ['CarechainDeepReorg', 'le=~"6|6\\\\.0"', 'le=~"10|10\\\\.0"', 'a reorg 7 deep'],
    ['CarechainDeepReorg', 'le=~"6|6\\\\.0"', 'le="6"', "Prometheus 3's le=\"6.0\""],
    ['CarechainHashRateHalved', '0.5 *', '0.7 *', 'a drop to 60 %'],
    ['CarechainHashRateHalved', 'and ignoring (window) carechain_mining_workers > 0', '', 'a stopped miner'],
  ])('catches %s with %j instead of %j (%s)', (alert, from, to) => {
    const run = unitTestRules(withChange(alert, from, to));
    expect(run.status).not.toBe(0);
    expect(run.output).toContain(`alertname: ${alert}`);
  });
});

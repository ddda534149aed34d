import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig, resolveConfig } from '../../src/node/config.js';
import { removeTempDirs, tempDir } from '../chain/helpers.js';
import { runCli } from '../cli/run-cli.js';

afterAll(removeTempDirs);

function configFile(contents: string): string {
  const path = join(tempDir(), 'node.json');
  writeFileSync(path, contents);
  return path;
}

describe('node config', () => {
  it('defaults to ./data, 127.0.0.1:8080, every core, dev, mining', () => {
    expect(resolveConfig({})).toEqual({
      dataDir: './data', host: '127.0.0.1', port: 8080, threads: availableParallelism(), network: 'dev', mine: true,
      coinbase: undefined, token: undefined, rateLimit: 50,
      maxConnections: 1024, maxConnectionsPerClient: 64, headersTimeout: 10, requestTimeout: 30,
      stratum: true, stratumPort: 3333, stratumMaxSessions: 1024, stratumMaxPerAddress: 64, stratumMinDifficulty: 0.0001,
      p2p: true, p2pPort: 9333, peers: [], maxPeers: 24, mdns: false,
    });
  });

  it('takes the file over the defaults and the flags over the file', () => {
    const file = loadConfigFile(configFile(JSON.stringify({ data: '/srv/cc', port: 9000, threads: 3, mine: false, network: 'test', token: 't0k' })));
    expect(resolveConfig({ port: 9100, dataDir: undefined }, file)).toMatchObject({ dataDir: '/srv/cc', port: 9100, threads: 3, mine: false, network: 'test', token: 't0k' });
  });

  it('refuses unknown keys, wrong types and broken JSON with one line naming the problem', () => {
    expect(() => parseConfig({ prot: 1 })).toThrow(/^config: unknown key "prot" \(known: data, host, port, threads, network, mine, coinbase, token, rateLimit, maxConnections, maxConnectionsPerClient, headersTimeout, requestTimeout, stratum, stratumPort, stratumMaxSessions, stratumMaxPerAddress, stratumMinDifficulty, p2p, p2pPort, peers, maxPeers, mdns\)$/);
    expect(() => parseConfig({ stratumMinDifficulty: 0 })).toThrow(/"stratumMinDifficulty"/);
    expect(parseConfig({ stratum: false, stratumPort: 0 })).toEqual({ stratum: false, stratumPort: 0 });
    expect(() => parseConfig({ port: '8080' })).toThrow(/^config: "port": /);
    expect(() => parseConfig({ network: 'main' })).toThrow(/"network"/);
    expect(() => parseConfig({ coinbase: 'abc' })).toThrow(/64-hex-digit/);
    expect(() => parseConfig([])).toThrow(ConfigError);
    expect(() => loadConfigFile(configFile('{"port": 80,'))).toThrow(/not JSON/);
    expect(() => loadConfigFile('/no/such/file.json')).toThrow(/cannot read it \(ENOENT\)/);
  });

  it('carechain start reports bad flags and config files as one line and a non-zero exit', () => {
    const cases: [string[], RegExp][] = [
      [['--config', configFile('{"port": 1, "colour": "red"}')], /unknown key "colour"/],
      [['--port', 'http'], /--port must be a non-negative integer/],
      [['--port', '70000'], /--port must be from 0 to 65535/],
      [['-t', '0'], /--threads must be from 1 to 256/],
      [['--network', 'main'], /--network must be dev or test/],
      [['--coinbase', 'xyz'], /--coinbase must be a 64-hex-digit public key/],
      [['--frobnicate'], /Unknown option '--frobnicate'/],
      [['--stratum-port', '65536'], /--stratum-port must be from 0 to 65535/],
      [['--stratum-min-difficulty', '-1'], /--stratum-min-difficulty must be a positive number/],
      [['--stratum-max-sessions', '0'], /--stratum-max-sessions must be from 1 to 1000000/],
    ];
    for (const [args, message] of cases) {
      const { status, stderr } = runCli(['start', ...args]);
      expect(status, args.join(' ')).toBe(2);
      expect(stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(stderr).toMatch(message);
    }
  });
});

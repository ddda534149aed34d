import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig, resolveConfig } from '../../src/node/config.js';
import { removeTempDirs, tempDir } from '../chain/helpers.js';
import { runCli } from '../cli/run-cli.js';

afterAll(removeTempDirs);

function configFile(contents: unknown): string {
  const path = join(tempDir(), 'node.json');
  writeFileSync(path, JSON.stringify(contents));
  return path;
}

function expectOneLineRefusal(args: string[], message: RegExp): void {
  const { status, stderr } = runCli(['start', ...args]);
  expect(status, args.join(' ')).toBe(2);
  expect(stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
  expect(stderr, args.join(' ')).toMatch(message);
}

describe('carechain start: the token', () => {
  it('refuses an empty token, or one no client could send, in one line, from a flag or the config file', () => {
    // An empty token used to be taken as set: the control routes then asked for a token nobody could send.
    expectOneLineRefusal(['--token', ''], /^carechain: --token must not be empty/);
    expectOneLineRefusal(['--token', 'two words'], /^carechain: --token must be printable ASCII without spaces/);
    expectOneLineRefusal(['--config', configFile({ token: '' })], /^carechain: config .*node\.json: "token": must not be empty/);
  });

  it('checks a token however it arrives', () => {
    expect(() => parseConfig({ token: '' })).toThrow(/"token": must not be empty/);
    expect(() => parseConfig({ token: 'tab\there' })).toThrow(/"token": must be printable ASCII/);
    expect(() => resolveConfig({ token: '' })).toThrow(ConfigError);
    expect(resolveConfig({ token: 'abc-DEF_123.~+/=' }).token).toBe('abc-DEF_123.~+/=');
  });
});

describe('carechain start: connection caps and timeouts', () => {
  it('takes them from the config file, and the flags over the file', () => {
    const file = loadConfigFile(configFile({ maxConnections: 300, maxConnectionsPerClient: 0, headersTimeout: 0.5, requestTimeout: 2 }));
    expect(resolveConfig({ maxConnections: 200 }, file)).toMatchObject({ maxConnections: 200, maxConnectionsPerClient: 0, headersTimeout: 0.5, requestTimeout: 2 });
    expect(() => parseConfig({ maxConnections: 0 })).toThrow(/"maxConnections"/);
    expect(() => parseConfig({ headersTimeout: -1 })).toThrow(/"headersTimeout"/);
    expect(() => resolveConfig({ headersTimeout: 20, requestTimeout: 5 })).toThrow(/request timeout \(5 s\) must be at least the headers timeout \(20 s\)/);
  });

  it('refuses bad values in one line', () => {
    expectOneLineRefusal(['--max-connections', '0'], /--max-connections must be from 1/);
    expectOneLineRefusal(['--max-connections-per-client', 'many'], /--max-connections-per-client must be a non-negative integer/);
    expectOneLineRefusal(['--headers-timeout', '0'], /--headers-timeout must be a number of seconds above 0/);
    expectOneLineRefusal(['--request-timeout', '1e3'], /--request-timeout must be a number of seconds/);
    expectOneLineRefusal(['--headers-timeout', '20', '--request-timeout', '5'], /request timeout \(5 s\) must be at least the headers timeout \(20 s\)/);
  });
});

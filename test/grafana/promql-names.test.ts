import { describe, expect, it } from 'vitest';
import { metricNamesIn } from './promql-names.js';

describe('metricNamesIn', () => {
  it.each([
    ['carechain_chain_height', ['carechain_chain_height']],
    ['sum(rate(carechain_hashes_total{instance=~"$instance",worker!="x"}[1m]))', ['carechain_hashes_total']],
    ['histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket[5m])))', ['http_request_duration_seconds_bucket']],
    ['sum without (worker) (a_total) / on (instance) group_left (job) b_total offset 5m', ['a_total', 'b_total']],
    ['rate(x_sum[$__rate_interval]) / rate(x_count[${__interval}]) > bool 0 and up', ['x_sum', 'x_count', 'up']],
    ['label_replace(up, "dst", "$1", "src", "(.*)")', ['up']],
  ])('%s reads %j', (expr, names) => {
    expect(metricNamesIn(expr)).toEqual(names);
  });

  it('refuses what it cannot read rather than finding no names', () => {
    expect(() => metricNamesIn('made_up_fn(up)')).toThrow(/unknown PromQL function/);
    expect(() => metricNamesIn('up{job="a"')).toThrow(/cannot read/);
  });
});

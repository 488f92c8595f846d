import { describe, expect, it } from 'vitest';
import { eventRows, targetRows } from './dashboard-client.js';
import type { DashboardUpdate } from './dashboard-view.js';

const update = (o: Partial<DashboardUpdate>): DashboardUpdate => ({
  title: 't',
  run: 'r',
  at: 0,
  charts: [],
  targets: [],
  group: null,
  events: [],
  verdicts: [],
  actions: { enabled: true, faults: [] },
  windowSeconds: 600,
  ...o,
});

describe('the page’s rows', () => {
  it('escape what the service and the fleet report, so a message cannot become markup', () => {
    const html = eventRows(
      update({ events: [{ t: 1.25, reason: 'FaultHang', message: '<img src=x onerror=alert(1)> & "q"' }] }),
    );
    expect(html).toBe(
      '<tr class="fault"><td>1.3 s</td><td><code>FaultHang</code></td><td>&#60;img src=x onerror=alert(1)&#62; &#38; &#34;q&#34;</td></tr>',
    );
  });

  it('a target row: health, reason code, CPU; its stop button off while it terminates or on a read-only page', () => {
    const target = {
      id: 'i-a',
      zone: 'z',
      version: 'V1',
      lifecycle: 'in-service',
      health: 'unhealthy',
      reason: 'Target.Timeout',
      cpuPercent: 12.5,
    };
    expect(targetRows(update({ targets: [target] }))).toBe(
      '<tr class="unhealthy"><td><code>i-a</code></td><td>z</td><td>V1</td><td>in-service</td><td><b>unhealthy</b></td><td><code>Target.Timeout</code></td><td>12.5%</td><td><button class="stop" data-id="i-a" >stop</button></td></tr>',
    );
    expect(targetRows(update({ targets: [{ ...target, lifecycle: 'terminating' }] }))).toContain(
      'disabled>stop',
    );
    expect(targetRows(update({ targets: [target], actions: { enabled: false, faults: [] } }))).toContain(
      'disabled>stop',
    );
    expect(targetRows(update({}))).toBe('<tr><td colspan="8">no instances</td></tr>');
  });
});

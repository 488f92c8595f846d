import { afterEach, describe, expect, it } from 'vitest';
import { type Fleet, startApiFleet, steadyLoad, until, waitForHealthy } from './fleet-harness.js';

let current: Fleet | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

describe('the local fleet with the reference API (real processes)', () => {
  it('(a) a SIGKILLed instance is taken out within unhealthy threshold × interval and replaced', async () => {
    const { fleet, config, events } = await startApiFleet({
      scaling: { min: 2, max: 3, desired: 2, enabled: false },
    });
    current = fleet;
    await waitForHealthy(fleet, 2, 30_000);
    const load = steadyLoad(`${fleet.listenerUrl}/`, 2);
    await until(
      () => new Set(load.samples.map((s) => s.instance)).size === 2,
      10_000,
      'both instances serving',
    );

    const victim = fleet.group.status().instances[0];
    if (!victim) throw new Error('no instance');
    const killedAt = Date.now();
    process.kill(victim.pid, 'SIGKILL');
    const outOfService = () =>
      events.find(
        (e) =>
          e.t >= killedAt &&
          (e.data as { instanceId?: string } | undefined)?.instanceId === victim.id &&
          (e.reason === 'InstanceExited' || (e.source === 'target' && e.message.includes('→ unhealthy'))),
      );
    await until(() => outOfService() !== undefined, 10_000, 'the instance to be marked out of service');
    const detectedAt = outOfService()?.t ?? 0;
    const bound = config.healthCheck.unhealthyThreshold * fleet.timing.healthCheckIntervalSeconds * 1000;
    expect(detectedAt - killedAt).toBeLessThanOrEqual(bound);

    // A replacement is launched and becomes healthy; traffic never returns to the dead instance.
    await until(
      () =>
        fleet.balancer.group.all().filter((t) => t.state === 'healthy' && t.id !== victim.id).length === 2,
      30_000,
      'two healthy instances again',
    );
    const samples = await load.stop();
    const afterDetection = samples.filter((s) => s.at > detectedAt + 50);
    expect(afterDetection.length).toBeGreaterThan(20);
    expect(afterDetection.filter((s) => s.instance === victim.id)).toEqual([]);
    expect(afterDetection.filter((s) => s.status !== 200)).toEqual([]);
    expect(events.map((e) => e.reason)).toContain('LaunchToDesired');
  });

  it('(b) deploy V1→V2 under steady GET load: 0 failed requests and the message flips', async () => {
    const { fleet } = await startApiFleet({ scaling: { min: 1, max: 2, enabled: false } });
    current = fleet;
    await waitForHealthy(fleet, 1, 30_000);
    const load = steadyLoad(`${fleet.listenerUrl}/`, 4);
    await until(() => load.samples.length > 20, 10_000, 'traffic');
    const refresh = fleet.group.startRefresh('V2');
    await until(
      () => fleet.group.refreshStatus(refresh.id)?.status !== 'in-progress',
      60_000,
      'refresh to end',
    );
    expect(fleet.group.refreshStatus(refresh.id)?.status).toBe('successful');
    // Keep the load a moment after the old instance is gone.
    await new Promise((r) => setTimeout(r, 1500));
    const samples = await load.stop();

    expect(samples.filter((s) => s.status !== 200)).toEqual([]);
    const messages = samples.map((s) => s.message);
    expect(messages[0]).toBe('Hello World! V1');
    expect(messages.at(-1)).toBe('Hello World! V2');
    const lastV1 = messages.lastIndexOf('Hello World! V1');
    expect(messages.slice(lastV1 + 1).every((m) => m === 'Hello World! V2')).toBe(true);
    expect(fleet.group.status().instances.map((i) => i.appVersion)).toEqual(['V2']);
  });

  it('(c) CPU load drives 1 → 2 instances and, after it stops, 2 → 1', async () => {
    // 1 vCPU per instance; each POST burns about 20 ms of CPU in the thread pool.
    const { fleet, events } = await startApiFleet(
      { scaling: { min: 1, max: 2, targetCpuPercent: 50 } },
      { CPU_ITERATIONS: '200' },
    );
    current = fleet;
    await waitForHealthy(fleet, 1, 30_000);
    let running = true;
    const post = async () => {
      while (running)
        await fetch(`${fleet.listenerUrl}/`, { method: 'POST' }).then(
          (r) => r.arrayBuffer(),
          () => {},
        );
    };
    const load = Promise.all([post(), post(), post(), post()]);
    try {
      await until(() => fleet.group.status().desired === 2, 45_000, 'scale-out to 2');
      await waitForHealthy(fleet, 2, 30_000);
    } finally {
      running = false;
      await load;
    }
    const scaleOut = events.find((e) => e.reason === 'ScaleOutCpuHigh');
    expect(scaleOut?.message).toMatch(/CPU \d+\.\d% > target 50% for 3 datapoints/);

    await until(() => fleet.group.status().desired === 1, 90_000, 'scale-in to 1');
    const scaleIn = events.find((e) => e.reason === 'ScaleInCpuLow');
    expect(scaleIn?.message).toMatch(/< target 50% for 15 datapoints/);
    await until(() => fleet.group.status().instances.length === 1, 30_000, 'one instance left');
  }, 200_000);
});

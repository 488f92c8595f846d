// fleetproof's balancer with the upstream registered as its only target (benchmark process).
import { Balancer } from '../../packages/fleetproof/src/balancer/balancer.js';
import { systemClock } from '../../packages/fleetproof/src/clock.js';

const balancer = new Balancer({
  clock: systemClock,
  host: '127.0.0.1',
  port: Number(process.env.PORT),
  algorithm: 'round_robin',
  slowStartMs: 0,
  healthCheck: { path: '/', matcher: '200', intervalMs: 1000, timeoutMs: 500 },
  thresholds: { healthyThreshold: 2, unhealthyThreshold: 2 },
  idleTimeoutMs: 60_000,
  connectTimeoutMs: 10_000,
  deregistrationDelayMs: 1000,
  retryIdempotentOnce: false,
});
await balancer.start();
balancer.register('i-bench', '127.0.0.1', Number(process.env.UPSTREAM_PORT));
const wait = setInterval(() => {
  if (balancer.group.get('i-bench')?.state === 'healthy') {
    clearInterval(wait);
    process.send?.('ready');
  }
}, 20);
process.on('SIGINT', () => process.exit(0));

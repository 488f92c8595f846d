import { defineConfig } from 'fleetproof';

// The field reports' design: one ALB, an ASG of 1–2 instances tracking 50% CPU, PostgreSQL, zero-downtime
// instance refresh. `npx fleetproof up` runs it locally; every key and default: packages/fleetproof/README.md.
export default defineConfig({
  service: {
    name: 'api',
    command: ['node', 'apps/api/dist/main.js'],
    port: 3000,
    version: 'V1',
    dockerfile: 'apps/api/Dockerfile',
    // The balancer drains an instance before SIGTERM reaches it, so the API's own pre-close delay (meant for
    // balancers that learn late, as Kubernetes endpoints do) only needs to be short here.
    env: { LOG_LEVEL: 'warn', SHUTDOWN_DELAY_MS: '1000' },
  },
  database: {
    mode: 'embedded',
    migrateCommand: ['node', 'apps/api/dist/migrate.js'],
  },
  // t4g.small has 2 vCPUs: the first report's instance size (a blocked thread tops out at 50% of it).
  instance: { cpus: 2, memoryMiB: 1024, awsInstanceType: 't4g.small' },
  healthCheck: { path: '/health', matcher: '200', healthyThreshold: 5, unhealthyThreshold: 2 },
  balancer: { port: 8080, algorithm: 'round_robin' },
  scaling: { min: 1, max: 2, targetCpuPercent: 50 },
  rollout: { strategy: 'instance-refresh', minHealthyPercent: 100, maxHealthyPercent: 200 },
  timing: { profile: 'fast' },
  // Load scenarios for `fleetproof load --scenario NAME`: an Artillery script's shape, as an object.
  scenarios: {
    // The second report: each virtual user opens the index, then logs in; ramp up, then hold.
    'index-then-login': {
      config: {
        target: 'http://127.0.0.1:8080',
        phases: [
          { duration: 20, arrivalRate: 1, rampTo: 10, name: 'ramp up' },
          { duration: 10, arrivalRate: 10, name: 'hold' },
        ],
        ensure: { maxErrorRate: 1 },
      },
      scenarios: [
        {
          name: 'index then login',
          flow: [
            { get: { url: '/' } },
            {
              post: {
                url: '/auth/login',
                json: { email: 'demo@fleetproof.local', password: 'fleetproof-demo' },
              },
            },
          ],
        },
      ],
    },
  },
});

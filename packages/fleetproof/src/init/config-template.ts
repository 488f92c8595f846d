import type { Detected } from './detect.js';

export interface TemplateInput {
  detected: Detected & { command: string[] };
  port: number;
  healthPath: string;
  healthMatcher: string;
  /** The route the default scenario GETs. */
  loadPath: string;
  /** True when the service was seen listening on all interfaces. */
  listensOnAllInterfaces: boolean;
  honoursPort: boolean;
}

/** A value as TypeScript source in the house style: single quotes, bare keys, spaces after commas. */
export function lit(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(lit).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(
      ([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : lit(k)}: ${lit(v)}`,
    );
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  }
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return String(value);
}

/** The fleetproof.config.ts `init` writes: every section commented, a default scenario and a proof section. */
export function renderConfig(t: TemplateInput): string {
  const d = t.detected;
  const db = d.usesPostgres
    ? `
  // PostgreSQL: fleetproof runs one (embedded, in .fleetproof/) unless DATABASE_URL is set. Each instance gets
  // the connection under the names below; inside an instance's network namespace it is at 127.0.0.1:5432.
  database: {
    mode: 'embedded',${d.migrateCommand ? `\n    // Run once before the fleet starts, with the same variables.\n    migrateCommand: ${lit(d.migrateCommand)},` : "\n    // migrateCommand: ['npm', 'run', 'migrate'],  // run once before the fleet starts"}
    env: ${lit({ url: d.databaseEnv.url ?? 'DATABASE_URL', ...withoutUrl(d.databaseEnv) })},
  },`
    : `
  // No database section: fleetproof starts no PostgreSQL. Add one (mode: 'embedded') if the service needs it.`;
  const network = t.listensOnAllInterfaces
    ? `\n  // The service listened on all interfaces: each instance gets a network namespace of its own (root + ip netns),\n  // so N copies share one port as EC2 instances do.`
    : '';
  const port = t.honoursPort
    ? `    // Each instance gets PORT (this, or another per instance without network namespaces) and HOST.\n    port: 3000,`
    : `    // The service ignored PORT and listened on ${t.port}: instances need network namespaces (root + ip netns).\n    port: ${t.port},`;
  return `import { defineConfig } from 'fleetproof';

// Written by \`fleetproof init\`. Every key and default: node_modules/fleetproof/README.md
export default defineConfig({
  service: {
    name: ${lit(d.name)},
    // Found from ${d.commandFrom}.
    command: ${lit(d.command)},
${port}
    version: 'v1',
    // env: { LOG_LEVEL: 'warn', API_KEY: '{{ env.API_KEY }}' },  // {{ env.X }}: from the environment or .env
  },${db}
  // Each instance's size: a cgroup CPU quota and memory limit. Small, so this machine can overload one.
  instance: { cpus: 0.5, memoryMiB: 512 },${network}
  healthCheck: { path: ${lit(t.healthPath)}, matcher: ${lit(t.healthMatcher)}, healthyThreshold: 2, unhealthyThreshold: 2 },
  balancer: { port: 8080 },
  scaling: { min: 1, max: 3, targetCpuPercent: 50 },
  rollout: { minHealthyPercent: 100, maxHealthyPercent: 200 },
  timing: { profile: 'fast' },
  scenarios: {
    // \`npx fleetproof load --scenario browse\`; also the load \`fleetproof prove\` drives. Replace it with your
    // own flows, or point proof.load at a k6 script or an Artillery YAML: { script: 'load/test.js' }.
    browse: {
      config: { target: 'http://127.0.0.1:8080', phases: [{ duration: 30, arrivalRate: 20 }] },
      scenarios: [{ name: 'GET ${t.loadPath}', flow: [{ get: { url: ${lit(t.loadPath)}, expect: { statusCode: 200 } } }] }],
    },
  },
  // What \`npx fleetproof prove\` judges: \`--list\` shows the experiments, \`--quick\` shortens them.
  proof: {
    load: { scenario: 'browse' },
    serviceLevel: { p99Ms: 1000, maxErrorRate: 0.01 },
    // A write whose every acknowledgement must survive a crash and a deploy (turns on the \`writes\` experiment);
    // {{ token }} makes each write unique, and a read-back must then show its own token:
    // write: {
    //   request: { method: 'POST', url: '/items', json: { name: 'item {{ token }}' } },
    //   id: '$.id',
    //   readBack: { request: { method: 'GET', url: '/items/{{ id }}' } },  // or { sql: 'SELECT 1 FROM items WHERE id = $1' }
    // },
    experiments: {
      // One instance gets arrivals ramping up to 3000/s until it breaks the service level; the fleet must hold that.
      capacity: { ramp: { from: 5, to: 3000, seconds: 30 } },
      deploy: { rate: 20 },
      crash: { rate: 20 },
    },
  },
});
`;
}

function withoutUrl(env: Detected['databaseEnv']): Omit<Detected['databaseEnv'], 'url'> {
  const { url: _url, ...rest } = env;
  return rest;
}

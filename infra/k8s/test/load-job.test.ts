import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeSeries, parseOutFile } from 'fleetproof';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { k8sSettingsFromConfig } from '../src/k8s-settings.js';
import { type LoadJobOptions, loadJobManifests, segmentCommand, segmentLines } from '../src/load-job.js';
import { podsByIndex, runLoadJob } from '../src/load-run.js';
import { policyFindings } from '../src/policy.js';
import { schemaErrors } from '../src/schema-validation.js';
import { fakeKubectl } from './fake-kubectl.js';
import { k8sTestConfig } from './k8s-test-config.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const cli = join(repoRoot, 'packages', 'fleetproof', 'bin', 'fleetproof.js');
const settings = k8sSettingsFromConfig(k8sTestConfig());
const SCRIPT = `config:
  phases:
    - duration: 3
      arrivalRate: 20
scenarios:
  - flow:
      - get:
          url: "/item"
`;

const options = (parallelism: number, target?: string): LoadJobOptions => ({
  name: 'notes-load-1',
  files: { 'load.yml': SCRIPT },
  script: 'load.yml',
  parallelism,
  target,
  fleetproofVersion: '0.1.0',
  loadArgs: [],
});

let server: Server;
let requests = 0;
beforeAll(async () => {
  server = createServer((_, res) => {
    requests++;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** One pod of the Job, on this machine: the Job's own shell command, its index, fleetproof on PATH. */
function runPod(
  o: LoadJobOptions,
  index: number,
  dirs: { script: string; work: string },
  bin: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', segmentCommand(o, dirs)], {
      env: { ...process.env, JOB_COMPLETION_INDEX: String(index), PATH: `${bin}:${process.env.PATH}` },
    });
    let log = '';
    child.stdout.on('data', (d) => {
      log += d;
    });
    child.stderr.on('data', (d) => {
      log += d;
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(log) : reject(new Error(`pod ${index} exited ${code}: ${log}`)),
    );
  });
}

describe('fleetproof k8s load: an Indexed Job of segments', () => {
  it('the ConfigMap and Job are valid and pass the policy', () => {
    const m = loadJobManifests(settings, options(4, 'http://notes.shop.svc.cluster.local'));
    expect(m.map((o) => o.kind)).toEqual(['ConfigMap', 'Job']);
    expect(schemaErrors(m)).toEqual([]);
    expect(policyFindings(m)).toEqual([]);
    const job = m[1]?.spec;
    expect([job.completionMode, job.completions, job.parallelism, job.backoffLimit]).toEqual([
      'Indexed',
      4,
      4,
      0,
    ]);
    expect(m[0]?.data).toEqual({ 'load.yml': SCRIPT });
    expect(job.template.spec.containers[0].command[2]).toContain('--segment "$i/4"');
  });

  it('three pods’ logs, gathered through kubectl and merged, count every request once', async () => {
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const work = mkdtempSync(join(tmpdir(), 'k8s-load-'));
    const bin = join(work, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'fleetproof'),
      `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} "$@"\n`,
    );
    chmodSync(join(bin, 'fleetproof'), 0o755);
    const scriptDir = join(work, 'script');
    mkdirSync(scriptDir);
    writeFileSync(join(scriptDir, 'load.yml'), SCRIPT);
    const o = options(3, target);
    requests = 0;
    const logs = await Promise.all(
      [0, 1, 2].map((i) => {
        const podWork = join(work, `pod-${i}`);
        mkdirSync(podWork);
        return runPod(o, i, { script: scriptDir, work: podWork }, bin);
      }),
    );
    expect(requests).toBe(60);
    const pods = {
      items: [0, 1, 2].map((i) => ({
        metadata: {
          name: `pod-${i}`,
          annotations: { 'batch.kubernetes.io/job-completion-index': String(i) },
        },
        status: { phase: 'Succeeded' },
      })),
    };
    let polls = 0;
    const { kubectl, calls } = fakeKubectl((args) => {
      if (args[0] === 'config') return { stdout: 'dev' };
      if (args[0] === 'get' && args[1] === 'job/notes-load-1') {
        polls++;
        return {
          stdout: JSON.stringify({
            status:
              polls < 2
                ? { active: 3 }
                : { succeeded: 3, conditions: [{ type: 'Complete', status: 'True' }] },
          }),
        };
      }
      if (args[0] === 'get' && args[1] === 'pods') return { stdout: JSON.stringify(pods) };
      if (args[0] === 'logs') return { stdout: logs[Number(String(args[1]).slice(4))] };
      return {};
    });
    const outDir = join(work, 'out');
    const merged = await runLoadJob({
      job: 'notes-load-1',
      namespace: 'shop',
      parallelism: 3,
      manifests: loadJobManifests(settings, o),
      kubectl,
      say: () => {},
      outDir,
      timeoutSeconds: 30,
      pollMs: 10,
    });
    expect(merged.requests).toBe(60);
    expect(merged.failed).toBe(0);
    expect(merged.segments).toEqual(['1/3', '2/3', '3/3']);
    // Each segment's share is a third (k6's striping), and its file is the pod's --out, prefix removed.
    const files = [1, 2, 3].map((i) => {
      const name = join(outDir, `segment-${i}-of-3.ndjson`);
      return { name, seconds: parseOutFile(name, readFileSync(name, 'utf8')) };
    });
    expect(files.map((f) => f.seconds.reduce((n, s) => n + s.rps, 0))).toEqual([20, 20, 20]);
    expect(mergeSeries(files)).toEqual(merged);
    expect(calls.filter((c) => c.args[0] === 'logs').map((c) => c.args[1])).toEqual([
      'pod-0',
      'pod-1',
      'pod-2',
    ]);
  }, 60_000);

  it('reads only the prefixed lines of a log, and only succeeded pods', () => {
    expect(segmentLines('npm warn x\nfleetproof-out {"t":1}\n{"t":2}\n')).toEqual(['{"t":1}']);
    const pods = podsByIndex(
      JSON.stringify({
        items: [
          {
            metadata: { name: 'a', annotations: { 'batch.kubernetes.io/job-completion-index': '0' } },
            status: { phase: 'Failed' },
          },
          {
            metadata: { name: 'b', annotations: { 'batch.kubernetes.io/job-completion-index': '0' } },
            status: { phase: 'Succeeded' },
          },
        ],
      }),
    );
    expect([...pods]).toEqual([[0, 'b']]);
  });
});

import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, type WriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RunInfo {
  runId: string;
  pid: number;
  startedAt: number;
  listenerUrl: string;
  controlUrl: string;
  token: string;
  profile: string;
}

/**
 * One folder per run: .fleetproof/runs/<id>/ with events.ndjson (every decision and state change),
 * series.ndjson (one line per second), instances/<id>.log and control.json (how to reach the control API;
 * mode 0600 because it holds the token). .fleetproof/current names the latest run.
 */
/** A run folder's time prefix: 20261122T043213 (UTC), sortable and safe in a path. */
export function runStamp(now: number): string {
  return new Date(now).toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
}

export class RunFolder {
  readonly dir: string;
  readonly runId: string;
  readonly token = randomBytes(24).toString('hex');
  private readonly events: WriteStream;
  private readonly series: WriteStream;

  constructor(
    private readonly stateDir: string,
    now: number,
  ) {
    this.runId = `${runStamp(now)}-${randomBytes(3).toString('hex')}`;
    this.dir = join(stateDir, 'runs', this.runId);
    mkdirSync(join(this.dir, 'instances'), { recursive: true });
    this.events = createWriteStream(join(this.dir, 'events.ndjson'), { flags: 'a' });
    this.series = createWriteStream(join(this.dir, 'series.ndjson'), { flags: 'a' });
  }

  get instanceLogDir(): string {
    return join(this.dir, 'instances');
  }

  writeInfo(info: Omit<RunInfo, 'runId' | 'token' | 'pid'>): void {
    const full: RunInfo = { ...info, runId: this.runId, token: this.token, pid: process.pid };
    writeFileSync(join(this.dir, 'control.json'), `${JSON.stringify(full, null, 2)}\n`, { mode: 0o600 });
    writeFileSync(join(this.stateDir, 'current'), `${this.runId}\n`);
  }

  event(record: object): void {
    this.events.write(`${JSON.stringify(record)}\n`);
  }

  point(record: object): void {
    this.series.write(`${JSON.stringify(record)}\n`);
  }

  async close(): Promise<void> {
    await Promise.all([
      new Promise((resolve) => this.events.end(resolve)),
      new Promise((resolve) => this.series.end(resolve)),
    ]);
  }
}

/** The control.json of the run named in .fleetproof/current, if any. */
export function readCurrentRun(stateDir: string): RunInfo | undefined {
  try {
    const runId = readFileSync(join(stateDir, 'current'), 'utf8').trim();
    return JSON.parse(readFileSync(join(stateDir, 'runs', runId, 'control.json'), 'utf8')) as RunInfo;
  } catch {
    return undefined;
  }
}

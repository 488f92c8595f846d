import { control } from '../control/control-client.js';
import type { FleetEvent } from '../fleet/auto-scaling-group.js';
import type { GroupStatus } from '../fleet/group-status.js';
import type { RunInfo } from '../metrics/run-folder.js';
import type { SeriesPoint } from '../metrics/series-sampler.js';
import type { RunRecording } from '../prove/types.js';
import type { DashboardActions } from './dashboard-server.js';
import { faultChoices } from './fleet-source.js';
import { recorderFor } from './live-recording.js';

interface ControlStatus {
  listenerUrl: string;
  targetCpuPercent?: number;
  hasDatabase?: boolean;
  group: GroupStatus;
  latest: SeriesPoint | undefined;
}

/**
 * A fleet running in another process (`fleetproof up`), followed through its control API once a second for
 * a `load` dashboard: its per-second point and new events go into the load's recording, and the page's
 * actions go to the same API with the fleet's token. A fleet that stops answering is reported, not fatal.
 */
export class FleetLink {
  private status: ControlStatus | undefined;
  private lastEventAt = 0;
  private lastPointAt = 0;
  private timer: NodeJS.Timeout | undefined;
  problem: string | undefined;

  constructor(
    readonly run: RunInfo,
    private readonly recording: RunRecording,
  ) {
    this.lastEventAt = recording.startedAt;
  }

  start(): void {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  group(): GroupStatus | undefined {
    return this.status?.group;
  }

  targetCpuPercent(): number | undefined {
    return this.status?.targetCpuPercent;
  }

  faults() {
    return this.status ? faultChoices(this.status.group.zones, this.status.hasDatabase === true) : [];
  }

  async poll(): Promise<void> {
    const recorder = recorderFor(this.recording, true);
    try {
      const status = await control<ControlStatus>(this.run, 'GET', '/status');
      this.status = status;
      const point = status.latest;
      if (point && point.t > this.lastPointAt && point.t >= this.recording.startedAt) {
        this.lastPointAt = point.t;
        recorder.point(point);
      }
      const events = await control<FleetEvent[]>(this.run, 'GET', `/events?since=${this.lastEventAt}`);
      for (const e of events) {
        this.lastEventAt = Math.max(this.lastEventAt, e.t);
        recorder.event(e);
      }
      this.problem = undefined;
    } catch (error) {
      this.problem = (error as Error).message;
    }
  }

  readonly actions: DashboardActions = {
    scale: (desired) => control(this.run, 'POST', '/scale', { desired }),
    deploy: (version) => control(this.run, 'POST', '/deploy', { version }),
    terminate: (instanceId) => control(this.run, 'POST', '/terminate', { instanceId }),
    fault: (kind, body) => control(this.run, 'POST', `/fault/${encodeURIComponent(kind)}`, body),
  };
}

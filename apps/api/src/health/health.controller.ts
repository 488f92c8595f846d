import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Settings } from '../config/settings.js';
import { Lifecycle } from '../lifecycle/lifecycle.js';
import { LIFECYCLE, SETTINGS } from '../tokens.js';
import { HealthProbe } from './health-probe.js';

@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(HealthProbe) private readonly probe: HealthProbe,
    @Inject(LIFECYCLE) private readonly lifecycle: Lifecycle,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  /** Readiness: what the load balancer checks. 503 once shutdown begins or when the database does not answer. */
  @Get()
  @HealthCheck()
  readiness() {
    return this.health.check([
      () => {
        const session = this.indicators.check('process');
        return this.lifecycle.shuttingDown ? session.down({ message: 'shutting down' }) : session.up();
      },
      () =>
        this.indicators
          .check('database')
          .attempt(() => this.probe.ping())
          .withTimeout(this.settings.HEALTH_DB_TIMEOUT_MS),
    ]);
  }

  /** Liveness: the process answers HTTP. No database, so a database outage never restarts healthy processes. */
  @Get('live')
  liveness() {
    return { status: 'ok' };
  }
}

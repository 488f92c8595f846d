import pg from 'pg';

/**
 * The readiness check's own connection, apart from the request pool: when load saturates the pool, the check
 * must still measure whether the database answers, not queue behind requests and fail the instance out of
 * the balancer (which would move the load to the other instances and fail them next).
 */
export class HealthProbe {
  private readonly pool: pg.Pool;

  constructor(url: string, timeoutMs: number) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: 1,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
    });
    this.pool.on('error', () => {});
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

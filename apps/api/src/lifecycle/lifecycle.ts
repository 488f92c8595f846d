/** Process-wide shutdown flag: readiness reads it, the shutdown sequence sets it. */
export class Lifecycle {
  private shuttingDownSince: number | undefined;

  get shuttingDown(): boolean {
    return this.shuttingDownSince !== undefined;
  }

  beginShutdown(now: number): void {
    this.shuttingDownSince ??= now;
  }
}

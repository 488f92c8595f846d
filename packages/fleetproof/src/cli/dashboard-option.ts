import { DashboardServer, type DashboardSource } from '../dashboard/dashboard-server.js';
import { FleetError } from '../errors.js';
import { dim, line } from './output.js';

/** The options `up`, `load` and `prove` share for their live dashboard. */
export const DASHBOARD_OPTIONS = {
  'no-dashboard': { type: 'boolean' },
  'dashboard-port': { type: 'string' },
} as const;

export interface DashboardFlags {
  'no-dashboard'?: boolean;
  'dashboard-port'?: string;
}

function dashboardPort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535)
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `--dashboard-port: got ${JSON.stringify(value)}, expected a port from 0 to 65535`,
    );
  return port;
}

/**
 * Starts the live dashboard unless --no-dashboard, and prints its URL (token included) under the other
 * listeners; `print` false leaves the printing to the caller (load --json keeps stdout for the summary).
 */
export async function startDashboard(
  flags: DashboardFlags,
  source: DashboardSource,
  options: { token?: string; print?: boolean } = {},
): Promise<DashboardServer | undefined> {
  if (flags['no-dashboard']) return undefined;
  const port = dashboardPort(flags['dashboard-port']);
  const server = new DashboardServer(source, options.token ? { token: options.token } : {});
  const url = await server.start(port);
  if (options.print !== false)
    line(`  dashboard   ${url}   ${dim('(live charts and actions · --no-dashboard turns it off)')}`);
  return server;
}

/**
 * Every failure fleetproof reports on purpose carries a stable code. The codes, their exit codes and the
 * table in this package's README are kept in sync by errors.test.ts: add a row there when adding one here.
 */
export const ERROR_CODES = {
  FLEET_ERR_USAGE: { exitCode: 2, summary: 'A command or option was given wrongly.' },
  FLEET_ERR_PROJECT_NOT_FOUND: { exitCode: 2, summary: 'No fleetproof project above the current directory.' },
  FLEET_ERR_CONFIG: {
    exitCode: 2,
    summary: 'fleetproof.config.ts is missing, does not load, or is invalid.',
  },
  FLEET_ERR_DB_START: { exitCode: 3, summary: 'Embedded PostgreSQL could not be initialised or started.' },
  FLEET_ERR_DB_IN_USE: {
    exitCode: 3,
    summary: 'The embedded database directory is used by another running fleetproof.',
  },
  FLEET_ERR_MIGRATE: { exitCode: 4, summary: 'The service migrate command failed.' },
  FLEET_ERR_BUILD: {
    exitCode: 4,
    summary: 'A release could not be checked out from git or its service.build command failed.',
  },
  FLEET_ERR_REFRESH_IN_PROGRESS: { exitCode: 6, summary: 'An instance refresh is already running.' },
  FLEET_ERR_DEPLOY_FAILED: { exitCode: 7, summary: 'The instance refresh failed or was rolled back.' },
  FLEET_ERR_NOT_RUNNING: { exitCode: 8, summary: 'No running fleet (start one with fleetproof up).' },
  FLEET_ERR_CONTROL: { exitCode: 8, summary: 'The control API refused or failed a request.' },
  FLEET_ERR_LOAD_SCRIPT: {
    exitCode: 9,
    summary: 'A load script could not be read or uses something unsupported.',
  },
  FLEET_ERR_THRESHOLDS: { exitCode: 99, summary: 'A load-test threshold failed (as k6).' },
  FLEET_ERR_SERVICE_START: {
    exitCode: 5,
    summary: 'The service exited or did not pass its health check in time.',
  },
  FLEET_ERR_VERDICT: { exitCode: 10, summary: 'A prove experiment’s verdict failed.' },
  FLEET_ERR_AWS: {
    exitCode: 11,
    summary:
      'An AWS command failed: no credentials or region, no docker, or the rollout failed or rolled back.',
  },
  FLEET_ERR_K8S_NO_CONTEXT: {
    exitCode: 12,
    summary:
      'No Kubernetes cluster to deploy to: kubectl is missing or has no current context; nothing was applied.',
  },
  FLEET_ERR_K8S: {
    exitCode: 13,
    summary:
      'A Kubernetes command failed: the config cannot be expressed, a manifest is invalid, or apply, the migration or the rollout failed.',
  },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class FleetError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FleetError';
    this.code = code;
    this.exitCode = ERROR_CODES[code].exitCode;
  }
}

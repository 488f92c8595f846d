import type { FleetproofConfig } from '../config/schema.js';
import type { RunRecording } from '../prove/types.js';
import type { Fleet } from '../runtime/fleet-runtime.js';
import { validation } from './aws-error.js';
import type { LocalNames } from './local-names.js';
import type { QueryParams, XmlValue } from './query-xml.js';

/** What every local AWS action works on: the running fleet, named as AWS names things. */
export interface LocalAws {
  readonly names: LocalNames;
  readonly fleet: Pick<Fleet, 'group' | 'balancer' | 'events' | 'deploy' | 'timing'>;
  readonly config: FleetproofConfig;
  /** The fleet's per-second series (CloudWatch's metrics come from them). */
  readonly recording: Pick<RunRecording, 'fleet' | 'startedAt'>;
  /** SSM parameters: the image-tag parameter is the version the next refresh launches. */
  readonly parameters: Map<string, string>;
  readonly createdAt: Date;
}

export type Action = (
  params: QueryParams,
  aws: LocalAws,
) => XmlValue | undefined | Promise<XmlValue | undefined>;

/** A required parameter, or AWS's ValidationError for it. */
export function required(params: QueryParams, name: string): string {
  const value = params.get(name);
  if (value === undefined || value === '')
    throw validation(
      `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
    );
  return value;
}

export function integer(params: QueryParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value))
    throw validation(`Value '${value}' at '${name}' failed to satisfy constraint: Member must be an integer`);
  return Number(value);
}

export function boolean(params: QueryParams, name: string): boolean | undefined {
  const value = params.get(name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false')
    throw validation(
      `Value '${value}' at '${name}' failed to satisfy constraint: Member must be true or false`,
    );
  return value === 'true';
}

/**
 * Parameters the local endpoint does not emulate, refused by name rather than ignored: a call that relies on
 * one would otherwise look as if it had worked.
 */
export function refuseOthers(params: QueryParams, known: readonly string[]): void {
  const unknown = [...params.keys()].filter(
    (k) => k !== 'Action' && k !== 'Version' && !known.some((p) => k === p || k.startsWith(`${p}.`)),
  );
  if (unknown.length > 0)
    throw validation(
      `fleetproof's local endpoint does not emulate ${unknown.join(', ')} for ${params.get('Action')}; it emulates ${known.join(', ')}`,
    );
}

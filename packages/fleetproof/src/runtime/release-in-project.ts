import { existsSync, realpathSync } from 'node:fs';
import { sep } from 'node:path';
import { FleetError } from '../errors.js';
import type { ReleaseSource } from '../fleet/types.js';
import { releasesDir } from '../releases/release-store.js';

/**
 * A release named through the control API, checked: only a folder `deploy --ref` made under this project's
 * .fleetproof/releases may become instances' working directory.
 */
export function releaseInProject(root: string, release: { sha: string; root: string }): ReleaseSource {
  const base = releasesDir(root);
  const inside =
    /^[0-9a-f]{40,64}$/.test(release.sha) &&
    existsSync(release.root) &&
    existsSync(base) &&
    realpathSync(release.root).startsWith(`${realpathSync(base)}${sep}${release.sha}`);
  if (!inside) {
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `release: got ${JSON.stringify(release)}, expected a release folder under ${base} (made by deploy --ref)`,
    );
  }
  return { sha: release.sha, root: realpathSync(release.root) };
}

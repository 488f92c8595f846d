/**
 * Every command's usage text, apart from the commands themselves: `fleetproof help` prints them all, and a
 * command's module (with its dependencies: the fleet, PostgreSQL's client, the load engine) is only loaded
 * when that command runs.
 */

export const apiUsage = `fleetproof api [--port N] [--version V]
  Runs the configured service alone (one process, no balancer), on its database (embedded, or DATABASE_URL), until Ctrl-C.`;

export const awsUsage = `fleetproof aws synth [--out DIR] [--region R] | aws deploy --version V [--skip-build] [--endpoint local|URL]
  The AWS deployment built from fleetproof.config.ts (infra/aws): write its CloudFormation template, or push an
  image and roll it out (instance refresh or CodeDeploy); --endpoint local runs that rollout against this
  project's running \`fleetproof up\` through its AWS endpoint.`;

export const k8sUsage = `fleetproof k8s synth [--out DIR] [--single] [--version V] | k8s deploy --version V [--timeout S]
  | k8s load <script> --parallelism N [--target URL] [-e KEY=VALUE …] [--synth-only] [--out DIR]
  The Kubernetes deployment built from fleetproof.config.ts (infra/k8s, cdk8s): write its manifests (validated
  against the Kubernetes schemas and a policy), apply them with kubectl and wait for the rollout (exit 12 with
  no context), or run a load as N segments of an Indexed Job and merge their histograms.`;

export const statusUsage =
  'fleetproof status [--json]\n  Instances, versions, zones, target health and CPU of the running fleet.';

export const scaleUsage =
  'fleetproof scale --desired N\n  Sets the auto scaling group desired capacity (min..max).';

export const deployUsage = `fleetproof deploy --ref <git-ref> [--version V] | --version V
  Instance refresh to a new version, with progress until done; exit 7 if it fails or rolls back.
  --ref: the commit checked out under .fleetproof/releases/<sha>, built once with service.build (cached,
  the last 5 kept), its database.migrateCommand run on the shared database while the old version serves,
  then instances launched from it with APP_VERSION = the short sha (or --version). --version alone: the
  same build with another APP_VERSION.`;

export const faultUsage = `fleetproof fault <kind> … against the running fleet; each prints what the fleet did and a verdict (exit 10 when it fails)
  hang [--instance ID]            SIGSTOP one instance: unhealthy within threshold × interval + timeout, then replaced
  az-outage --zone Z --for D      every instance in zone Z stopped, launches there fail for D; capacity restored in
                                  the other zones, and the zones rebalanced after it ends
  launch-failure --for D          every launch fails (InsufficientInstanceCapacity) for D: retries back off (no crash
                                  loop) and an instance serves once it ends
  db-restart [--down D] [--recover-within D] [--path P]
                                  the database restarted (kept down D): the service must answer every probe of P (the
                                  health path) within --recover-within (10s) of the database being back
  db-latency --ms N [--jitter-ms J] --for D [--path P]
                                  the database answers N ± J ms later for D: p99 before and during, and whether health
                                  checks flapped`;

export const downUsage = 'fleetproof down\n  Stops the running fleet (as Ctrl-C on `up` does).';

export const initUsage = `fleetproof init [--command "python3 app.py"]
  In a project without a fleetproof config: finds how to start the service (package.json start/main, or a
  Python entry), starts it once to find its port and health route, writes a commented fleetproof.config.ts.`;

const DASHBOARD_USAGE =
  'A live dashboard on loopback (its URL, token included, is printed; --dashboard-port N, --no-dashboard turns it off)';

export const loadUsage = `fleetproof load <script.yml|script.js|test.ts> | --scenario NAME  [--target URL] [-e …] [--config FILE] [--overrides JSON] [--json] [--out series.ndjson] [--segment i/n] [--no-dashboard]
  Runs an Artillery YAML, a k6 script (.js, or .ts importing k6), or a scenario from fleetproof.config.ts;
  exit 99 when a threshold (k6 thresholds, Artillery ensure or a failed expect) fails.
  -e KEY=VALUE sets a k6 script's __ENV entry (k6 run -e); -e NAME picks an Artillery environment
  (artillery run -e), as do --environment NAME; --config and --overrides as artillery run has them.
  --segment i/n runs the i-th of n disjoint parts (k6's execution segments: VUs, iterations and arrivals
  striped so the parts add up to the whole); \`fleetproof load merge a.ndjson b.ndjson … [--json]\` sums their
  --out files into one summary, percentiles from their HDR histograms added together.
  ${DASHBOARD_USAGE}; with this project's \`up\` running, its fleet is on the dashboard too.`;

export const proveUsage = `fleetproof prove [--quick] [--only capacity,deploy] [--list] [--no-dashboard]
  Runs the experiments the config's proof section enables (capacity, scale, deploy, crash, writes, variant,
  faults) on the local fleet, prints verdicts, writes an HTML report; exit 10 if a verdict fails. --list shows
  them. ${DASHBOARD_USAGE} (read-only: the experiments drive their fleets).`;

export const upUsage = `fleetproof up [--timing fast|aws] [--aws-port N] [--no-dashboard] [--dashboard-port N]
  Starts the database, migrates once, starts the balancer and the auto scaling group; live status until Ctrl-C.
  ${DASHBOARD_USAGE}: scale, deploy, stop an instance, faults.
  An AWS-compatible endpoint on loopback (--aws-port N; any free port otherwise): the aws CLI and the SDKs with
  --endpoint-url drive the fleet through Auto Scaling, ELBv2 and CloudWatch calls (SigV4-signed, any key).`;

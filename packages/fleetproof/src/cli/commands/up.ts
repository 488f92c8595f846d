import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startAwsEndpoint } from '../../aws-api/start-aws-endpoint.js';
import { loadConfig } from '../../config/load-config.js';
import { TIMING_PROFILES, type TimingProfileName } from '../../config/timing-profiles.js';
import { fleetSource } from '../../dashboard/fleet-source.js';
import { emptyRecording, recorderFor } from '../../dashboard/live-recording.js';
import { FleetError } from '../../errors.js';
import { findProjectRoot } from '../../project.js';
import { startFleet, waitForHealthy } from '../../runtime/fleet-runtime.js';
import { DASHBOARD_OPTIONS, startDashboard } from '../dashboard-option.js';
import { bold, dim, green, line } from '../output.js';
import { statusLine } from '../status-format.js';

export async function upCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { timing: { type: 'string' }, 'aws-port': { type: 'string' }, ...DASHBOARD_OPTIONS },
    strict: true,
  });
  if (values.timing !== undefined && !(values.timing in TIMING_PROFILES)) {
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `--timing: got ${JSON.stringify(values.timing)}, expected fast or aws`,
    );
  }
  const awsPort = values['aws-port'] === undefined ? undefined : Number(values['aws-port']);
  if (awsPort !== undefined && !(Number.isInteger(awsPort) && awsPort > 0 && awsPort < 65536))
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `--aws-port: got ${JSON.stringify(values['aws-port'])}, expected a port from 1 to 65535`,
    );
  const root = findProjectRoot();
  const config = await loadConfig(root);
  const tty = process.stdout.isTTY === true;
  let statusShown = false;
  const clearStatus = () => {
    if (tty && statusShown) process.stdout.write('\r\x1b[2K');
    statusShown = false;
  };
  line(`${bold('fleetproof up')}${dim(` · ${root} · timing ${values.timing ?? config.timing.profile}`)}`);
  const started = Date.now();
  const profileName = values.timing ?? config.timing.profile;
  const recording = emptyRecording('fleetproof up', `timing ${profileName}`, started);
  const recorder = recorderFor(recording, true);
  const fleet = await startFleet({
    root,
    config,
    ...(values.timing ? { profile: values.timing as TimingProfileName } : {}),
    onLine: (text) => {
      clearStatus();
      line(dim(`  ${text}`));
    },
    onPoint: recorder.point,
    onEvent: (event) => {
      recorder.event(event);
      clearStatus();
      const at = ((event.t - started) / 1000).toFixed(1).padStart(6);
      line(`${dim(`${at}s`)} ${event.reason.padEnd(32)} ${event.message}`);
    },
  });
  line(`  isolation   ${fleet.isolation}`);
  line(`  listener    ${bold(fleet.listenerUrl)}   ${dim('(the load balancer: send traffic here)')}`);
  line(`  control     ${fleet.controlUrl}   ${dim(`(token in ${fleet.run.dir}/control.json)`)}`);
  recording.runDir = fleet.run.dir;
  const aws = await startAwsEndpoint(fleet, config, recording, awsPort).catch(async (error: unknown) => {
    await fleet.stop();
    throw error;
  });
  // Where `fleetproof aws deploy --endpoint local` finds this fleet's endpoint (and its timings).
  writeFileSync(
    join(fleet.run.dir, 'aws-endpoint.json'),
    `${JSON.stringify({ url: aws.url, region: aws.region, timing: profileName })}\n`,
  );
  line(
    `  aws         ${aws.url}   ${dim(`(Auto Scaling, ELBv2, CloudWatch: aws --endpoint-url ${aws.url} --region ${aws.region} …)`)}`,
  );
  line(`  run folder  ${fleet.run.dir}`);
  // Behind the control token: the dashboard's actions are the control API's.
  const dashboard = await startDashboard(
    values,
    fleetSource(`fleetproof up · ${config.service.name}`, fleet, config, recording),
    { token: fleet.run.token },
  ).catch(async (error: unknown) => {
    await fleet.stop();
    throw error;
  });
  line(
    dim(
      '  other terminal: npx fleetproof status | scale --desired 2 | deploy --version V2 | down · Ctrl-C stops',
    ),
  );
  void waitForHealthy(fleet, 1, 60_000).then(
    () => {
      clearStatus();
      line(
        green(
          `  ready: ${fleet.listenerUrl} answers through a healthy target (${((Date.now() - started) / 1000).toFixed(1)} s)`,
        ),
      );
    },
    (error: Error) => {
      clearStatus();
      line(error.message);
    },
  );

  const ticker = setInterval(
    () => {
      const text = statusLine(fleet.group.status(), fleet.sampler.latest);
      if (tty) {
        process.stdout.write(`\r\x1b[2K${text.slice(0, (process.stdout.columns ?? 160) - 1)}`);
        statusShown = true;
      } else {
        line(text);
      }
    },
    tty ? 1000 : 10_000,
  );
  let signals = 0;
  const onSignal = () => {
    signals += 1;
    if (signals > 1) process.exit(130);
    clearStatus();
    void fleet.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await fleet.stopped;
  await dashboard?.stop();
  await aws.endpoint.close();
  clearInterval(ticker);
  clearStatus();
  line(green('  stopped: no instance, balancer or database left running'));
  return 0;
}

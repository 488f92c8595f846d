export interface UserDataOptions {
  /** ECR repository URI (account.dkr.ecr.region.amazonaws.com/name), a CDK token at synth time. */
  readonly repositoryUri: string;
  /** The registry host of that repository (account.dkr.ecr.region.amazonaws.com), for docker login. */
  readonly registry: string;
  /** SSM parameter holding the image tag to run (the version): `aws deploy` updates it. */
  readonly imageTagParameter: string;
  readonly databaseSecretArn: string;
  readonly logGroupName: string;
  readonly appPort: number;
  readonly serviceEnv: Readonly<Record<string, string>>;
  /** Seconds the container gets between SIGTERM and SIGKILL. */
  readonly stopGraceSeconds: number;
  /** Install the CodeDeploy agent (rollout.strategy codedeploy). */
  readonly codedeployAgent: boolean;
}

const envLine = (key: string, value: string) => {
  if (!/^[A-Z_][A-Z0-9_]*$/i.test(key))
    throw new Error(`service.env key: got "${key}", expected a shell variable name`);
  if (/[\n\r]/.test(value))
    throw new Error(`service.env.${key}: got a value with a line break, expected one line`);
  return `${key}=${value}`;
};

/**
 * The instance's boot script (Amazon Linux 2023): Docker, the image from ECR, the database secret, migrations
 * inside the VPC, then the service as a systemd unit whose stop is `docker stop`, i.e. SIGTERM and a grace
 * period: the ASG deregisters (drains) the instance before shutdown reaches it.
 */
export function instanceUserData(o: UserDataOptions): string[] {
  const extraEnv = Object.entries(o.serviceEnv).map(([k, v]) => envLine(k, v));
  return [
    'set -euo pipefail',
    `dnf install -y docker jq${o.codedeployAgent ? ' ruby wget' : ''}`,
    'systemctl enable --now docker',
    'TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 300")',
    'imds() { curl -s -H "X-aws-ec2-metadata-token: $TOKEN" "http://169.254.169.254/latest/meta-data/$1"; }',
    'REGION=$(imds placement/region)',
    'INSTANCE_ID=$(imds instance-id)',
    ...(o.codedeployAgent
      ? [
          'cd /tmp && wget -q "https://aws-codedeploy-$REGION.s3.$REGION.amazonaws.com/latest/install"',
          'chmod +x ./install && ./install auto',
        ]
      : []),
    'mkdir -p /etc/fleetproof',
    // RDS's CA bundle, so the service verifies the database's certificate (sslmode=verify-full).
    'curl -sf -o /etc/fleetproof/rds-ca.pem https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem',
    `aws ssm get-parameter --region "$REGION" --name "${o.imageTagParameter}" --query Parameter.Value --output text > /etc/fleetproof/image-tag`,
    `SECRET=$(aws secretsmanager get-secret-value --region "$REGION" --secret-id "${o.databaseSecretArn}" --query SecretString --output text)`,
    `DATABASE_URL=$(echo "$SECRET" | jq -r '"postgres://\\(.username):\\(.password|@uri)@\\(.host):\\(.port)/\\(.dbname)?sslmode=verify-full&sslrootcert=/certs/rds-ca.pem"')`,
    'umask 077',
    'cat > /etc/fleetproof/app.env <<ENV',
    `PORT=${o.appPort}`,
    'HOST=0.0.0.0',
    'INSTANCE_ID=$INSTANCE_ID',
    'DATABASE_URL=$DATABASE_URL',
    ...extraEnv,
    'ENV',
    // The start script every boot and every CodeDeploy ApplicationStart runs: pull the tag, migrate, serve.
    'cat > /usr/local/bin/fleetproof-run <<RUN',
    '#!/bin/bash',
    'set -euo pipefail',
    'TAG=\\$(cat /etc/fleetproof/image-tag)',
    `IMAGE="${o.repositoryUri}:\\$TAG"`,
    `aws ecr get-login-password --region "$REGION" | docker login --username AWS --password-stdin "${o.registry}"`,
    'docker pull "\\$IMAGE"',
    '# Migrations run here, inside the VPC, under the service’s advisory lock: concurrent boots apply them once.',
    'docker run --rm --env-file /etc/fleetproof/app.env -v /etc/fleetproof/rds-ca.pem:/certs/rds-ca.pem:ro "\\$IMAGE" node apps/api/dist/migrate.js',
    'docker rm -f app 2>/dev/null || true',
    `exec docker run --name app --env-file /etc/fleetproof/app.env -e APP_VERSION="\\$TAG" -v /etc/fleetproof/rds-ca.pem:/certs/rds-ca.pem:ro -p ${o.appPort}:${o.appPort} --log-driver awslogs --log-opt awslogs-region="$REGION" --log-opt awslogs-group="${o.logGroupName}" --log-opt awslogs-stream="$INSTANCE_ID" "\\$IMAGE"`,
    'RUN',
    'chmod 755 /usr/local/bin/fleetproof-run',
    'cat > /etc/systemd/system/fleetproof-app.service <<UNIT',
    '[Unit]',
    'After=docker.service',
    'Requires=docker.service',
    '[Service]',
    'ExecStart=/usr/local/bin/fleetproof-run',
    `ExecStop=/usr/bin/docker stop --time ${o.stopGraceSeconds} app`,
    `TimeoutStopSec=${o.stopGraceSeconds + 15}`,
    'Restart=always',
    '[Install]',
    'WantedBy=multi-user.target',
    'UNIT',
    'systemctl daemon-reload',
    'systemctl enable --now fleetproof-app',
  ];
}

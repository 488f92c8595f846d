#!/bin/bash
# Healthy means what the target group checks: the health path answers 200 on the app port. CodeDeploy then
# registers the instance again; a timeout here fails the deployment (and rolls it back when enabled).
set -euo pipefail
PORT=$(sed -n 's/^PORT=//p' /etc/fleetproof/app.env)
HEALTH_PATH=$(tr -d '[:space:]' < /opt/fleetproof/revision/HEALTH_PATH)
for _ in $(seq 1 60); do
  if curl -sf -o /dev/null "http://127.0.0.1:${PORT}${HEALTH_PATH}"; then exit 0; fi
  sleep 2
done
echo "the service did not answer 200 on ${HEALTH_PATH} within 120 s" >&2
exit 1

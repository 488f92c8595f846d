#!/bin/bash
# CodeDeploy has already deregistered this instance from the target group (and waited out the deregistration
# delay): stopping is `docker stop` through systemd, i.e. SIGTERM and the grace period.
set -euo pipefail
systemctl stop fleetproof-app || true

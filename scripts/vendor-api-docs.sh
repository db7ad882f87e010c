#!/usr/bin/env bash
# Vendors the API docs page's viewer (Swagger UI, the npm package swagger-ui-dist) into
# api-docs-ui/vendor/: the pinned version is fetched from the npm registry, checked against its
# published integrity hash, and only the files the page uses are kept (with the licence). The
# files are committed and embedded in the binary, so /api/docs works with no internet. Run it
# only to move to another version: change VERSION and INTEGRITY together.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=5.36.0
INTEGRITY=sha512-Lt6/Kb0gXmLdiabLhvso4VdJP9V7qJWB0zh0gzeXUV3+CMOTzMmvpJRSXN7EAjfwixwmoi9ezDbLHiexC7lA9A==

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "swagger-ui-dist@$VERSION" >/dev/null)
tarball="$work/swagger-ui-dist-$VERSION.tgz"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$INTEGRITY" ]; then
    echo "vendor-api-docs.sh: swagger-ui-dist $VERSION does not match its pinned integrity" >&2
    exit 1
fi
tar -xzf "$tarball" -C "$work"
target=api-docs-ui/vendor
rm -rf "$target"
mkdir -p "$target"
for file in swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE swagger-ui-bundle.js.LICENSE.txt; do
    cp "$work/package/$file" "$target/"
done
# The bundle names its source map; the map is not vendored, so the reference goes.
sed -i '/^\/\/# sourceMappingURL=/d' "$target/swagger-ui-bundle.js"
sed -i 's|/\*# sourceMappingURL=.*\*/||' "$target/swagger-ui.css"
echo "swagger-ui-dist $VERSION ($INTEGRITY), from the npm registry" >"$target/VERSION"
echo "vendored swagger-ui-dist $VERSION into $target"

#!/usr/bin/env bash
# Writes schemas/mixcompose.schema.json from src/config/compose-schema.ts (the source of truth).
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
npx tsc src/config/compose-schema.ts --outDir "$out" --module nodenext --moduleResolution nodenext --target es2022 --skipLibCheck
echo '{"type":"module"}' > "$out/package.json"
node --input-type=module -e "
import { composeSchema } from '$out/compose-schema.js';
process.stdout.write(JSON.stringify(composeSchema, null, 2) + '\n');
" > schemas/mixcompose.schema.json
echo "wrote schemas/mixcompose.schema.json"

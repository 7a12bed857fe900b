#!/bin/sh
# The nginx stand-in's entrypoint: before nginx starts, every *.template under the template folder is rendered
# with envsubst into the output folder (same relative path, suffix dropped), substituting only the environment
# variables whose names match NGINX_ENVSUBST_FILTER (all when unset), as the official image's start step does.
set -eu
template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
filter="${NGINX_ENVSUBST_FILTER:-}"
if [ "${1:-}" = nginx ] && [ -d "$template_dir" ]; then
  names="$(env | cut -d= -f1 | grep -E -- "${filter:-.}" || true)"
  variables="$(for name in $names; do printf '${%s} ' "$name"; done)"
  find "$template_dir" -follow -type f -name "*$suffix" | while read -r template; do
    relative="${template#"$template_dir"/}"
    output="$output_dir/${relative%"$suffix"}"
    mkdir -p "$(dirname "$output")"
    echo "$0: rendering $template to $output"
    envsubst "$variables" < "$template" > "$output"
  done
fi
exec "$@"

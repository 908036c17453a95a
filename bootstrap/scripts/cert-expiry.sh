#!/bin/bash
# cert-expiry (every machine, daily): when does each certificate on this machine expire? One
# journal line per certificate — a warning (priority 4) from CERT_WARN_DAYS days before, an error
# (priority 3) once expired — and a Prometheus metric per certificate in the node exporter's
# textfile directory, slipway_certificate_expiry_timestamp_seconds{path="…"}, for alerting.
# Certificates renewed by their owner (the kubelet's *-current.pem) count by what they are now.
set -euo pipefail
warn_days=${CERT_WARN_DAYS:-30}
metrics=${CERT_METRICS:-/var/lib/node-exporter/textfile/slipway-certificates.prom}
now=$(date +%s)
mkdir -p "$(dirname "$metrics")"
# written beside the metrics file and moved over it: the exporter never reads half a file
out=$(mktemp "$(dirname "$metrics")/.slipway-certificates.XXXXXX")
trap 'rm -f "$out"' EXIT
{
  echo "# HELP slipway_certificate_expiry_timestamp_seconds When the certificate stops being valid (Unix time)."
  echo "# TYPE slipway_certificate_expiry_timestamp_seconds gauge"
} >"$out"
due=0
IFS=: read -ra dirs <<<"${CERT_DIRS:-/etc/ssl/etcd:/etc/kubernetes/pki:/var/lib/kubelet/pki}"
for dir in "${dirs[@]}"; do
  [ -d "$dir" ] || continue
  for f in "$dir"/*.crt "$dir"/*-current.pem; do
    [ -e "$f" ] || continue
    end=$(openssl x509 -in "$f" -noout -enddate 2>/dev/null | sed 's/^notAfter=//') || continue
    [ -n "$end" ] || continue
    expires=$(date -d "$end" +%s)
    days=$(((expires - now) / 86400))
    printf 'slipway_certificate_expiry_timestamp_seconds{path="%s"} %s\n' "$f" "$expires" >>"$out"
    if [ "$expires" -le "$now" ]; then
      echo "<3>cert-expiry: $f EXPIRED on $end"
      due=$((due + 1))
    elif [ "$days" -lt "$warn_days" ]; then
      echo "<4>cert-expiry: $f expires on $end, in $days days"
      due=$((due + 1))
    else
      echo "cert-expiry: $f expires on $end, in $days days"
    fi
  done
done
chmod 0644 "$out"
mv "$out" "$metrics"
echo "cert-expiry: $due certificate(s) expire within $warn_days days"

#!/bin/bash
# kube-certs (masters): issue this master's control-plane certificates itself, from the cluster CA
# and front-proxy CA whose keys it holds anyway (the controller-manager signs kubelet certificates
# with the first) — and issue them again, before the kubelet starts and then daily, whenever one is
# missing, no longer what the spec asks for, within CERT_RENEW_DAYS of its end, or not signed by
# the current CA. So no control-plane certificate ever needs a machine replaced, and none travels
# in user_data. A renewal restarts the static pods (the kubelet sees their manifests change).
#
# CERT_SPEC lines: <file>|<ca>|<subject>|<alternative names>|<extended key usage>|<key owner uid>
#   (an owner: the component runs as that user; its key is that user's, mode 0600)
#   kubelet|ca|/O=system:nodes/CN=system:node:<name>||clientAuth is the kubelet's first client
#   certificate: issued only while the kubelet has none (it renews its own: client-go's layout,
#   kubelet-client-<time>.pem behind the kubelet-client-current.pem link).
set -euo pipefail
pki=${KUBE_PKI:-/etc/kubernetes/pki}
spec=${CERT_SPEC:-$pki/certs.spec}
days=${CERT_DAYS:-365}
renew=${CERT_RENEW_DAYS:-30}
kubelet_dir=${KUBELET_CERT_DIR:-/var/lib/kubelet/pki}
manifests=${MANIFESTS:-/etc/kubernetes/manifests}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077

# the service-account public key, from its private key (again whenever that key changed)
openssl pkey -in "$pki/sa.key" -pubout -out "$work/sa.pub"
if [ "$(cat "$work/sa.pub")" != "$(cat "$pki/sa.pub" 2>/dev/null)" ]; then
  chmod 0644 "$work/sa.pub"
  mv "$work/sa.pub" "$pki/sa.pub"
  echo "kube-certs: derived sa.pub from sa.key"
fi

# issue <ca> <subject> <sans> <usage> <key out> <cert out>
issue() {
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$5" -out "$work/req.pem" -subj "$2" 2>/dev/null
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$4"
    [ -z "$3" ] || echo "subjectAltName=$3"
  } >"$work/ext"
  openssl x509 -req -in "$work/req.pem" -CA "$pki/$1.crt" -CAkey "$pki/$1.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days "$days" -extfile "$work/ext" -out "$6" 2>/dev/null
}

renewed=()
while IFS='|' read -r name ca subject sans usage owner; do
  [ -n "$name" ] || continue
  if [ "$name" = kubelet ]; then
    [ -e "$kubelet_dir/kubelet-client-current.pem" ] && continue
    mkdir -p "$kubelet_dir"
    issue "$ca" "$subject" "" "$usage" "$work/k.pem" "$work/c.pem"
    pem="$kubelet_dir/kubelet-client-$(date -u +%Y-%m-%d-%H-%M-%S).pem"
    cat "$work/c.pem" "$work/k.pem" >"$pem"
    # relative: the link is right wherever the directory is (client-go's later ones are absolute)
    ln -sfn "$(basename "$pem")" "$kubelet_dir/kubelet-client-current.pem"
    echo "kube-certs: issued the kubelet's first client certificate ($subject)"
    continue
  fi
  want=$(printf '%s|%s|%s|%s|%s' "$name" "$ca" "$subject" "$sans" "$usage" | sha256sum | cut -c1-64)
  crt="$pki/$name.crt" key="$pki/$name.key"
  if [ -s "$crt" ] && [ -s "$key" ] && [ "$(cat "$pki/$name.spec" 2>/dev/null)" = "$want" ] &&
    openssl x509 -in "$crt" -noout -checkend $((renew * 86400)) >/dev/null &&
    [ "$(openssl verify -CAfile "$pki/$ca.crt" "$crt" 2>/dev/null)" = "$crt: OK" ]; then
    [ -z "$owner" ] || [ "$(stat -c %u "$key")" = "$owner" ] || chown "$owner:$owner" "$key"
    continue
  fi
  issue "$ca" "$subject" "$sans" "$usage" "$work/$name.key" "$work/$name.crt"
  chmod 0644 "$work/$name.crt"
  [ -z "$owner" ] || chown "$owner:$owner" "$work/$name.key"
  # the key first: a reader never sees a new certificate with the old key
  mv "$work/$name.key" "$key"
  mv "$work/$name.crt" "$crt"
  echo "$want" >"$pki/$name.spec"
  renewed+=("$name")
  echo "kube-certs: issued $name ($subject), valid $days days"
done <"$spec"

if [ ${#renewed[@]} -gt 0 ] && [ -d "$manifests" ]; then
  # a changed manifest makes the kubelet restart the pod, which then reads the new certificates
  stamp=$(cat "$pki"/*.crt | sha256sum | cut -c1-16)
  for m in "$manifests"/*.json; do
    [ -e "$m" ] || continue
    jq -c --arg s "$stamp" '.metadata.annotations["slipway/certificates"] = $s' "$m" >"$work/manifest"
    chmod 0600 "$work/manifest"
    mv "$work/manifest" "$m"
  done
  echo "kube-certs: renewed ${renewed[*]}; the control plane restarts with them"
fi

#!/bin/bash
# approve-csrs (masters): the cluster's narrow certificate approver. Two kinds of request are
# decided here, every CSR_INTERVAL seconds; all others are left to the controller-manager (which
# approves a node's renewal of its own client certificate) or to a human.
#
#   kubelet serving certificates (kubernetes.io/kubelet-serving), asked by system:node:<name>:
#     subject exactly O=system:nodes, CN=system:node:<name>; only DNS names and IP addresses the
#     Node object lists (or its name); usages within digital signature, key encipherment, server
#     auth. Waits while the Node or its addresses do not exist yet.
#   first client certificates of joining workers (kubernetes.io/kube-apiserver-client-kubelet),
#     asked with a pool's bootstrap token (group system:bootstrappers:slipway:pool-<pool>):
#     subject exactly O=system:nodes, CN=system:node:<name> where <name> is a machine name of
#     that pool (CSR_RULES) — never a master's, never another pool's; no alternative names;
#     usages within digital signature, key encipherment, client auth.
#
# Anything that breaks a rule is denied, with the reason in the journal. CSR_ONCE=1 decides once.
set -euo pipefail
rules=${CSR_RULES:-/etc/slipway/csr-rules.json}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log() { echo "approve-csrs: $*"; }
ip2n() {
  local a b c d
  IFS=. read -r a b c d <<<"$1"
  echo $(((a << 24) + (b << 16) + (c << 8) + d))
}
in_subnet() {
  local bits=${2#*/} mask
  mask=$(((0xFFFFFFFF << (32 - bits)) & 0xFFFFFFFF))
  ((($(ip2n "$1") & mask) == ($(ip2n "${2%/*}") & mask)))
}
# every element of $1 (comma-separated) is in $2 (comma-separated)
subset() {
  local x
  IFS=, read -ra xs <<<"$1"
  for x in "${xs[@]}"; do [[ ",$2," == *",$x,"* ]] || return 1; done
}

# judge <csr json file>: prints "approve", "deny <reason>" or "wait <reason>"
judge() {
  local f=$1 signer user groups usages subject sans name node pool names req verified
  signer=$(jq -r '.spec.signerName' "$f")
  user=$(jq -r '.spec.username' "$f")
  groups=",$(jq -r '(.spec.groups // []) | join(",")' "$f"),"
  usages=$(jq -r '(.spec.usages // []) | join(",")' "$f")
  req="$work/req.pem"
  jq -r '.spec.request' "$f" | base64 -d >"$req" 2>/dev/null || { echo "deny the request is not base64"; return; }
  # OpenSSL 3.0 exits 0 even when the signature fails: read what it says
  verified=$(openssl req -in "$req" -noout -verify 2>&1) || true
  [[ $verified == *"verify OK"* ]] || { echo "deny the request is not a CSR signed by its own key"; return; }
  subject=$(openssl req -in "$req" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
  sans=$(openssl req -in "$req" -noout -text | sed -n '/X509v3 Subject Alternative Name/{n;p;}' | tr -d ' ' | tr ',' '\n')

  case $signer in
  kubernetes.io/kubelet-serving)
    [[ $user == system:node:* && $groups == *,system:nodes,* ]] || { echo "deny asked by $user, not a node"; return; }
    name=${user#system:node:}
    [ "$subject" = "CN=system:node:$name,O=system:nodes" ] || { echo "deny subject $subject is not this node's"; return; }
    if ! subset "$usages" "digital signature,key encipherment,server auth" || [[ ",$usages," != *",server auth,"* ]]; then
      echo "deny usages $usages are not a serving certificate's"
      return
    fi
    [ -n "$sans" ] || { echo "deny no names to serve"; return; }
    node="$work/node.json"
    kubectl get node "$name" -o json >"$node" 2>/dev/null || { echo "wait the Node $name does not exist yet"; return; }
    [ "$(jq '(.status.addresses // []) | length' "$node")" -gt 0 ] || { echo "wait the Node $name has no addresses yet"; return; }
    local san
    while read -r san; do
      case $san in
      DNS:*)
        jq -e --arg n "${san#DNS:}" --arg name "$name" \
          '$n == $name or any(.status.addresses[]; (.type == "Hostname" or .type == "InternalDNS" or .type == "ExternalDNS") and .address == $n)' \
          "$node" >/dev/null || { echo "deny ${san#DNS:} is not a name of Node $name"; return; } ;;
      IPAddress:*)
        jq -e --arg a "${san#IPAddress:}" 'any(.status.addresses[]; (.type == "InternalIP" or .type == "ExternalIP") and .address == $a)' \
          "$node" >/dev/null || { echo "deny ${san#IPAddress:} is not an address of Node $name"; return; } ;;
      *) echo "deny alternative name $san is neither a DNS name nor an IP address"; return ;;
      esac
    done <<<"$sans"
    echo approve ;;
  kubernetes.io/kube-apiserver-client-kubelet)
    [[ $user == system:bootstrap:* ]] || { echo "skip"; return; }
    pool=$(tr ',' '\n' <<<"$groups" | sed -n 's/^system:bootstrappers:slipway:pool-//p')
    [ "$(wc -w <<<"$pool")" -eq 1 ] || { echo "deny the token is not exactly one pool's"; return; }
    names=$(jq -r --arg p "$pool" '.pools[$p].names // empty' "$rules")
    [ -n "$names" ] || { echo "deny pool $pool is not one of this cluster's"; return; }
    [[ $subject =~ ^CN=system:node:([^,]+),O=system:nodes$ ]] || { echo "deny subject $subject is not a node's"; return; }
    name=${BASH_REMATCH[1]}
    [[ $name =~ $names ]] || { echo "deny $name is not a machine name of pool $pool"; return; }
    local address="${BASH_REMATCH[1]:-}.${BASH_REMATCH[2]:-}.${BASH_REMATCH[3]:-}.${BASH_REMATCH[4]:-}" subnets ok=no s
    subnets=$(jq -r --arg p "$pool" '.pools[$p].subnets // [] | .[]' "$rules")
    if [ -n "$subnets" ]; then
      # the name carries the machine's address (ip-10-0-128-5): it must be in the pool's subnets
      for s in $subnets; do in_subnet "$address" "$s" && ok=yes; done
      [ $ok = yes ] || { echo "deny $name is not in the subnets of pool $pool"; return; }
    fi
    [ -z "$sans" ] || { echo "deny a client certificate needs no alternative names"; return; }
    if ! subset "$usages" "digital signature,key encipherment,client auth" || [[ ",$usages," != *",client auth,"* ]]; then
      echo "deny usages $usages are not a client certificate's"
      return
    fi
    echo approve ;;
  *) echo "skip" ;;
  esac
}

decide() {
  kubectl get csr -o json >"$work/csrs.json"
  local n i name verdict
  n=$(jq '.items | length' "$work/csrs.json")
  for ((i = 0; i < n; i++)); do
    jq ".items[$i]" "$work/csrs.json" >"$work/csr.json"
    # only pending requests: no Approved, Denied or Failed condition yet
    [ "$(jq '(.status.conditions // []) | length' "$work/csr.json")" -eq 0 ] || continue
    name=$(jq -r '.metadata.name' "$work/csr.json")
    verdict=$(judge "$work/csr.json")
    case $verdict in
    approve) kubectl certificate approve "$name" >/dev/null && log "approved $name ($(jq -r '.spec.username' "$work/csr.json"))" ;;
    deny\ *) kubectl certificate deny "$name" >/dev/null && log "denied $name: ${verdict#deny }" ;;
    wait\ *) log "left $name pending: ${verdict#wait }" ;;
    esac
  done
}

if [ "${CSR_ONCE:-}" = 1 ]; then
  decide
  exit
fi
while true; do
  decide || log "could not list requests (is the API up?)"
  sleep "${CSR_INTERVAL:-10}"
done

// On masters: the cluster's bootstrap objects (bootstrap/kube/manifests.ts), applied by
// kube-bootstrap.service once the API answers and once per version (scripts/kube-bootstrap.sh
// says how; the join tokens: parts/join.ts).
import { corednsObjects, kubeProxyObjects, list, rbacObjects } from "../kube/manifests";
import type { Part } from "../node";
import { KUBECONFIGS } from "./control-plane";
import { bootstrapVersion } from "../versions";
import { PATHS, script, UNIT_PATH } from "./files";

export const BOOTSTRAP_DIR = `${PATHS.kube}/bootstrap`;

export const kubeBootstrapPart: Part = {
  name: "kube-bootstrap",
  apply(b, ctx) {
    b.directory(BOOTSTRAP_DIR, 0o700);
    b.file(`${BOOTSTRAP_DIR}/20-rbac.json`, list(rbacObjects()), { mode: 0o600 });
    b.file(`${BOOTSTRAP_DIR}/30-kube-proxy.json`, list(kubeProxyObjects(ctx.cluster)), { mode: 0o600 });
    b.file(`${BOOTSTRAP_DIR}/40-coredns.json`, list(corednsObjects(ctx.cluster)), { mode: 0o600 });
    const run = script(b, "kube-bootstrap");
    b.unit(
      "kube-bootstrap.service",
      `[Unit]
Description=Apply the cluster's bootstrap objects and mark this machine a control-plane node
Wants=kubelet.service
After=kubelet.service

[Service]
Type=oneshot
RemainAfterExit=true
${UNIT_PATH}
Environment=KUBECONFIG=${KUBECONFIGS.superAdmin}
Environment=KUBE_BOOTSTRAP_DIR=${BOOTSTRAP_DIR}
Environment=BOOTSTRAP_VERSION=${bootstrapVersion(ctx.cluster.config.kubernetes.version)}
ExecStart=${run}
Restart=on-failure
RestartSec=10
# 3: objects others changed since conflict with this version's; retrying would not change that
RestartPreventExitStatus=3
TimeoutStartSec=0

[Install]
WantedBy=multi-user.target
`,
      { enabled: true },
    );
  },
};

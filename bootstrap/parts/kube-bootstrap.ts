// On masters: the cluster's bootstrap objects (bootstrap/kube/manifests.ts) and the workers' join
// token, applied by kube-bootstrap.service once the API answers.
import type { Text } from "../ignition/builder";
import { corednsObjects, kubeProxyObjects, list, rbacObjects } from "../kube/manifests";
import type { Part } from "../node";
import { KUBECONFIGS } from "./control-plane";
import { PATHS, script, UNIT_PATH } from "./files";

export const BOOTSTRAP_DIR = `${PATHS.kube}/bootstrap`;

/** The join token as a Secret (its values are known at apply time; both are [a-z0-9]). */
function tokenSecret(id: Text, secret: Text): Text {
  return [
    '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"bootstrap-token-',
    id,
    '","namespace":"kube-system"},"type":"bootstrap.kubernetes.io/token","stringData":{"description":"slipway: machines of worker pools join with this token","token-id":"',
    id,
    '","token-secret":"',
    secret,
    '","usage-bootstrap-authentication":"true","usage-bootstrap-signing":"true"}}\n',
  ];
}

export const kubeBootstrapPart: Part = {
  name: "kube-bootstrap",
  apply(b, ctx) {
    b.directory(BOOTSTRAP_DIR, 0o700);
    b.file(`${BOOTSTRAP_DIR}/10-bootstrap-token.json`, tokenSecret(ctx.values.bootstrapToken.id, ctx.values.bootstrapToken.secret), {
      mode: 0o600,
    });
    b.file(`${BOOTSTRAP_DIR}/20-rbac.json`, list(rbacObjects()), { mode: 0o600 });
    b.file(`${BOOTSTRAP_DIR}/30-kube-proxy.json`, list(kubeProxyObjects(ctx.cluster)), { mode: 0o600 });
    b.file(`${BOOTSTRAP_DIR}/40-coredns.json`, list(corednsObjects(ctx.cluster)), { mode: 0o600 });
    const run = script(b, "kube-bootstrap");
    b.unit(
      "kube-bootstrap.service",
      `[Unit]
Description=Apply the cluster's bootstrap objects and mark this machine a control-plane node
Wants=kubelet.service
After=kubelet.service kubernetes-sysext.service

[Service]
Type=oneshot
RemainAfterExit=true
${UNIT_PATH}
Environment=KUBECONFIG=${KUBECONFIGS.admin}
Environment=KUBE_BOOTSTRAP_DIR=${BOOTSTRAP_DIR}
ExecStart=${run}
Restart=on-failure
RestartSec=10
TimeoutStartSec=0

[Install]
WantedBy=multi-user.target
`,
      { enabled: true },
    );
  },
};

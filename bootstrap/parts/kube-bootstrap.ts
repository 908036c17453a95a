// On masters: the cluster's bootstrap objects (bootstrap/kube/manifests.ts), applied by
// kube-bootstrap.service once the API answers and once per version (scripts/kube-bootstrap.sh
// says how; the join tokens: parts/join.ts). The addon bundle rides the same script (parts/addons.ts).
import type { IgnitionBuilder } from "../ignition/builder";
import { corednsObjects, kubeProxyObjects, list, rbacObjects } from "../kube/manifests";
import type { NodeContext, Part } from "../node";
import { bootstrapVersion } from "../versions";
import { KUBECONFIGS } from "./control-plane";
import { PATHS, script, UNIT_PATH } from "./files";

export const BOOTSTRAP_DIR = `${PATHS.kube}/bootstrap`;

/** A unit that applies `dir` once per version with scripts/kube-bootstrap.sh. */
export function applyOnceUnit(
  b: IgnitionBuilder,
  ctx: NodeContext,
  unit: { name: string; description: string; after: string; dir: string; env: Record<string, string> },
): void {
  const run = script(b, "kube-bootstrap");
  b.unit(
    unit.name,
    `[Unit]
Description=${unit.description}
Wants=${unit.after}
After=${unit.after}

[Service]
Type=oneshot
RemainAfterExit=true
${UNIT_PATH}
Environment=KUBECONFIG=${KUBECONFIGS.superAdmin}
Environment=KUBE_BOOTSTRAP_DIR=${unit.dir}
Environment=BOOTSTRAP_VERSION=${bootstrapVersion(ctx.cluster.config.kubernetes.version)}
${Object.entries(unit.env)
  .map(([k, v]) => `Environment=${k}=${v}\n`)
  .join("")}ExecStart=${run}
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
}

export const kubeBootstrapPart: Part = {
  name: "kube-bootstrap",
  apply(b, ctx) {
    b.directory(BOOTSTRAP_DIR, 0o700);
    b.file(`${BOOTSTRAP_DIR}/20-rbac.json`, list(rbacObjects()), { mode: 0o600 });
    b.file(`${BOOTSTRAP_DIR}/30-kube-proxy.json`, list(kubeProxyObjects(ctx.cluster)), { mode: 0o600 });
    b.file(`${BOOTSTRAP_DIR}/40-coredns.json`, list(corednsObjects(ctx.cluster)), { mode: 0o600 });
    applyOnceUnit(b, ctx, {
      name: "kube-bootstrap.service",
      description: "Apply the cluster's bootstrap objects and mark this machine a control-plane node",
      after: "kubelet.service",
      dir: BOOTSTRAP_DIR,
      env: { LABEL_CONTROL_PLANE: "yes" },
    });
  },
};

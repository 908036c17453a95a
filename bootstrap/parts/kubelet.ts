// The kubelet on masters and workers. Its API server is the local load balancer on 127.0.0.1, so
// losing any one master loses nothing. Masters start with a client certificate of their own
// (their kubelet must run the control plane's static pods before any API exists); workers join
// with their pool's bootstrap token — one config for a whole pool — and get their certificate
// through a CSR the masters' approver checks (parts/join.ts). Both rotate their certificates
// from then on (the controller-manager approves a node's renewal of its own).
// Anonymous access to the kubelet is off; a machine being shut down drains its pods first.
import { kubeconfig } from "../kube/kubeconfig";
import type { NodeContext, Part } from "../node";
import { KUBE_CA } from "../pki/spec";
import { CONTAINERD_SOCKET } from "./containerd";
import { PATHS } from "./files";
import { API_LB_SERVER } from "./api-lb";
import { unitVar } from "./container";
import { NODE_IDENTITY } from "./node-identity";

export const KUBELET = {
  config: `${PATHS.kube}/kubelet.yaml`,
  kubeconfig: "/var/lib/kubelet/kubeconfig",
  bootstrapKubeconfig: `${PATHS.kube}/bootstrap-kubeconfig`,
  certDir: "/var/lib/kubelet/pki",
  /**
   * kubelet's rotating client certificate (certificate and key in one file). client-go's file
   * store replaces it only when it is a symbolic link — it writes kubelet-client-<time>.pem and
   * moves the link — so a master's first certificate (kube-certs) is laid out the same way.
   */
  clientPem: "/var/lib/kubelet/pki/kubelet-client-current.pem",
  shutdownGracePeriod: 60,
} as const;

export function kubeletConfig(ctx: NodeContext): Record<string, unknown> {
  const { config, plan } = ctx.cluster;
  return {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: `${PATHS.kubePki}/ca.crt` } },
    authorization: { mode: "Webhook" },
    cgroupDriver: "systemd",
    containerRuntimeEndpoint: `unix://${CONTAINERD_SOCKET}`,
    clusterDNS: [plan.dnsServiceIp],
    clusterDomain: config.kubernetes.clusterDomain,
    rotateCertificates: true,
    // the serving certificate comes from the cluster CA through a CSR (kubelet-serving signer),
    // approved by the narrow approver on the masters; metrics-server and the API server trust it
    serverTLSBootstrap: true,
    staticPodPath: PATHS.manifests,
    readOnlyPort: 0,
    healthzBindAddress: "127.0.0.1",
    resolvConf: "/run/systemd/resolve/resolv.conf",
    volumePluginDir: "/var/lib/kubelet/volumeplugins",
    // graceful node shutdown: systemd delays shutdown (logind inhibitor) while pods terminate
    shutdownGracePeriod: `${KUBELET.shutdownGracePeriod}s`,
    shutdownGracePeriodCriticalPods: "20s",
  };
}

export const kubeletPart: Part = {
  name: "kubelet",
  apply(b, ctx) {
    const master = ctx.role === "master";
    const cluster = ctx.cluster.config.name;
    b.directory(PATHS.kube, 0o755).directory(PATHS.kubePki, 0o755).directory(PATHS.manifests, 0o755);
    if (!b.files.has(`${PATHS.kubePki}/ca.crt`)) b.file(`${PATHS.kubePki}/ca.crt`, ctx.values.pem(KUBE_CA, "cert"), { mode: 0o644 });
    b.file(KUBELET.config, `${JSON.stringify(kubeletConfig(ctx), null, 1)}\n`);

    const common = { cluster, server: API_LB_SERVER, ca: { file: `${PATHS.kubePki}/ca.crt` } };
    if (master) {
      const node = ctx.node;
      if (!node) throw new Error("a master needs its planned machine");
      // kubeadm's layout: certificate and key in one file behind the rotating link, which
      // kube-certs creates with the master's first certificate (before the kubelet starts)
      b.directory("/var/lib/kubelet", 0o700).directory(KUBELET.certDir, 0o700);
      b.file(
        KUBELET.kubeconfig,
        kubeconfig({
          ...common,
          user: `system:node:${node.name}`,
          credentials: { certFile: KUBELET.clientPem, keyFile: KUBELET.clientPem },
        }),
        { mode: 0o600 },
      );
    } else {
      const t = ctx.values.joinToken(ctx.pool?.name ?? "");
      b.file(
        KUBELET.bootstrapKubeconfig,
        kubeconfig({ ...common, user: "kubelet-bootstrap", credentials: { token: [t.id, ".", t.secret] } }),
        {
          mode: 0o600,
        },
      );
    }

    const labels = master ? ["slipway/role=master"] : ["slipway/role=worker", `slipway/pool=${ctx.pool?.name}`];
    const args = [
      `--config=${KUBELET.config}`,
      `--kubeconfig=${KUBELET.kubeconfig}`,
      `--cert-dir=${KUBELET.certDir}`,
      ...(master ? [] : [`--bootstrap-kubeconfig=${KUBELET.bootstrapKubeconfig}`]),
      // a cloud controller manager initialises the node (zone labels, addresses, removal of nodes
      // whose machine is gone); the provider id ties the node to its machine
      "--cloud-provider=external",
      `--provider-id=${unitVar("PROVIDER_ID")}`,
      `--node-ip=${unitVar("NODE_IP")}`,
      `--node-labels=${labels.join(",")}`,
      ...(master ? ["--register-with-taints=node-role.kubernetes.io/control-plane=:NoSchedule"] : []),
    ];

    // The system extension ships a kubeadm drop-in that would replace our ExecStart: mask it.
    b.directory("/etc/systemd/system/kubelet.service.d", 0o755);
    b.link("/etc/systemd/system/kubelet.service.d/10-kubeadm.conf", "/dev/null");
    b.unit(
      "kubelet.service",
      `[Unit]
Description=Kubernetes node agent (kubelet)
Documentation=https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/
Wants=network-online.target
After=network-online.target containerd.service systemd-sysext.service node-identity.service flannel-cni.service api-lb.service flanneld.service${master ? " kube-certs.service" : ""}
Requires=containerd.service node-identity.service${master ? " kube-certs.service" : ""}
# restart for ever: a kubelet that waits for the API must never give up
StartLimitIntervalSec=0

[Service]
EnvironmentFile=${NODE_IDENTITY}
ExecStartPre=/usr/bin/mkdir -p ${PATHS.manifests} /opt/cni/bin /var/lib/kubelet/volumeplugins
# the standard CNI plugins (bridge, portmap, loopback, host-local) come with the extension
ExecStartPre=/usr/bin/cp -r /usr/local/bin/cni/. /opt/cni/bin/
ExecStart=/usr/bin/kubelet \\
${args.map((a) => `  ${a}`).join(" \\\n")}
Restart=always
RestartSec=10

[Install]
WantedBy=multi-user.target
`,
      { enabled: true },
    );

    // graceful shutdown needs logind to wait for kubelet's inhibitor lock
    b.directory("/etc/systemd/logind.conf.d", 0o755);
    b.file("/etc/systemd/logind.conf.d/10-kubelet-shutdown.conf", `[Login]\nInhibitDelayMaxSec=${KUBELET.shutdownGracePeriod + 15}\n`);
  },
};

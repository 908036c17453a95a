// flannel: the pod network across machines, VXLAN on udp 8472, with its state in etcd (reached
// through the local proxy). A oneshot writes the network config into etcd once for the cluster.
import { PORTS } from "../../clusters/model/ports";
import type { Part } from "../node";
import { PATHS, script, UNIT_PATH } from "./files";
import { ETCDCTL_ENV, PROXY_LISTEN } from "./etcd-proxy";
import { containerService, unitVar } from "./container";
import { IMAGES, imageRef } from "../versions";
import { etcdNodeUser, FLANNEL_PREFIX } from "../pki/etcd-users";

export function flannelNetworkConfig(ctx: Parameters<Part["apply"]>[1]): string {
  const { network } = ctx.cluster.config;
  return JSON.stringify({ Network: network.pods, SubnetLen: network.podSubnetPrefix, Backend: { Type: "vxlan", Port: PORTS.vxlan } });
}

export const flannelPart: Part = {
  name: "flannel",
  apply(b, ctx) {
    const tls = PATHS.etcdTls;
    b.directory("/etc/flannel", 0o755);
    b.file("/etc/flannel/network.json", `${flannelNetworkConfig(ctx)}\n`);
    const write = script(b, "flannel-network-config");
    script(b, "etcdctl");

    b.unit(
      "flannel-network-config.service",
      `[Unit]
Description=Write flannel's network config into etcd (once per cluster)
Requires=etcd-proxy.service
After=etcd-proxy.service

[Service]
Type=oneshot
RemainAfterExit=true
${UNIT_PATH}
EnvironmentFile=${ETCDCTL_ENV}
Environment=FLANNEL_NETWORK_CONFIG=/etc/flannel/network.json
Environment=FLANNEL_ETCD_PREFIX=${FLANNEL_PREFIX}
ExecStart=${write}
Restart=on-failure
RestartSec=5

[Install]
WantedBy=multi-user.target
`,
      { enabled: true },
    );

    // flanneld reads FLANNELD_<FLAG> from its environment: the node group's etcd user, kept off
    // its command line (which every process on the machine can read)
    const etcdUser = `${PATHS.env}/flannel-etcd.env`;
    b.file(
      etcdUser,
      [`FLANNELD_ETCD_USERNAME=${etcdNodeUser(ctx.group)}\nFLANNELD_ETCD_PASSWORD=`, ctx.values.etcdPassword(ctx.group), "\n"],
      { mode: 0o600 },
    );
    containerService(b, {
      unit: "flanneld.service",
      container: "flanneld",
      description: "flannel pod network (VXLAN)",
      documentation: "https://github.com/flannel-io/flannel",
      after: ["etcd-proxy.service", "flannel-network-config.service"],
      wants: ["etcd-proxy.service", "flannel-network-config.service"],
      imagesEnv: true,
      // iptables' own lock, shared with kube-proxy and the host: without it their rule updates race
      pre: ["/usr/bin/mkdir -p /run/flannel", "/usr/bin/touch /run/xtables.lock"],
      privileged: true,
      run: [
        `--env-file ${etcdUser}`,
        "--volume /run/flannel:/run/flannel",
        "--volume /run/xtables.lock:/run/xtables.lock",
        `--volume ${tls}:${tls}:ro`,
        "--volume /lib/modules:/lib/modules:ro",
        unitVar("FLANNEL_IMAGE"),
        `--etcd-endpoints=https://${PROXY_LISTEN}`,
        `--etcd-prefix=${FLANNEL_PREFIX}`,
        `--etcd-cafile=${tls}/ca.crt`,
        `--etcd-certfile=${tls}/node-client.crt`,
        `--etcd-keyfile=${tls}/node-client.key`,
        "--ip-masq",
      ],
    });
  },
};

/** On Kubernetes nodes: flannel's CNI plugin and the network config that uses it. */
export const flannelCniPart: Part = {
  name: "flannel-cni",
  apply(b) {
    // flannel's CNI plugin (not part of the standard plugins) and the network config using it
    b.directory("/etc/cni", 0o755).directory("/etc/cni/net.d", 0o755);
    b.file(
      "/etc/cni/net.d/10-flannel.conflist",
      `${JSON.stringify({
        name: "cbr0",
        cniVersion: "1.0.0",
        plugins: [
          { type: "flannel", delegate: { hairpinMode: true, isDefaultGateway: true } },
          { type: "portmap", capabilities: { portMappings: true } },
        ],
      })}\n`,
    );
    b.unit(
      "flannel-cni.service",
      `[Unit]
Description=Install flannel's CNI plugin into /opt/cni/bin
Requires=docker.service
After=docker.service
Before=kubelet.service
ConditionPathExists=!/opt/cni/bin/flannel

[Service]
Type=oneshot
RemainAfterExit=true
ExecStartPre=/usr/bin/mkdir -p /opt/cni/bin
ExecStart=/usr/bin/docker run --rm --volume /opt/cni/bin:/host-cni --entrypoint /bin/cp ${imageRef(IMAGES.flannelCni)} -f /flannel /host-cni/flannel
Restart=on-failure
RestartSec=10

[Install]
WantedBy=multi-user.target
`,
      { enabled: true },
    );
  },
};

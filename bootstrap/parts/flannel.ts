// flannel: the pod network across machines, VXLAN on udp 8472, with its state in etcd (reached
// through the local proxy). A oneshot writes the network config into etcd once for the cluster.
import { PORTS } from "../../stacks/firewall";
import type { Part } from "../node";
import { PATHS, script, UNIT_PATH } from "./files";
import { PROXY_LISTEN } from "./etcd-proxy";
import { containerService, unitVar } from "./container";

export const FLANNEL_PREFIX = "/coreos.com/network";

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
EnvironmentFile=${PATHS.env}/etcdctl.env
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

    containerService(b, {
      unit: "flanneld.service",
      container: "flanneld",
      description: "flannel pod network (VXLAN)",
      documentation: "https://github.com/flannel-io/flannel",
      after: ["etcd-proxy.service", "flannel-network-config.service"],
      wants: ["etcd-proxy.service", "flannel-network-config.service"],
      imagesEnv: true,
      pre: ["/usr/bin/mkdir -p /run/flannel"],
      privileged: true,
      run: [
        "--volume /run/flannel:/run/flannel",
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

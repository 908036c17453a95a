// The etcd proxy every machine runs on 127.0.0.1:2379 (etcd grpc-proxy): node services and the
// API server talk to "localhost" and the proxy balances over all members, so no service on the
// machine needs to know the member addresses. It authenticates to the members with the group's
// proxy client certificate (without a Common Name: grpc-proxy refuses one that has it) and
// requires a client certificate from whoever connects to it.
import { PORTS } from "../../stacks/firewall";
import type { NodeContext, Part } from "../node";
import { ETCD_CA, nodeClient, proxyClient, proxyServer } from "../pki/spec";
import { certPair, envFile, etcdCaFile, PATHS, script } from "./files";

export const PROXY_LISTEN = `127.0.0.1:${PORTS.etcdClient}`;

/** The proxy's arguments after `etcd grpc-proxy start`. */
export function proxyArgs(ctx: NodeContext): string[] {
  const tls = PATHS.etcdTls;
  return [
    `--endpoints=${ctx.cluster.plan.etcd.map((m) => `https://${m.ip}:${PORTS.etcdClient}`).join(",")}`,
    `--listen-addr=${PROXY_LISTEN}`,
    `--advertise-client-url=${PROXY_LISTEN}`,
    // towards the members
    `--cacert=${tls}/ca.crt`,
    `--cert=${tls}/proxy-client.crt`,
    `--key=${tls}/proxy-client.key`,
    // towards local clients
    `--trusted-ca-file=${tls}/ca.crt`,
    `--cert-file=${tls}/proxy-server.crt`,
    `--key-file=${tls}/proxy-server.key`,
    "--data-dir=/var/lib/etcd-proxy",
  ];
}

export const etcdProxyPart: Part = {
  name: "etcd-proxy",
  apply(b, ctx) {
    const tls = PATHS.etcdTls;
    etcdCaFile(b, ctx, ETCD_CA);
    certPair(b, ctx, proxyClient(ctx.group), "proxy-client");
    certPair(b, ctx, proxyServer(ctx.group), "proxy-server");
    certPair(b, ctx, nodeClient(ctx.group), "node-client");

    // etcdctl for node services and operators: through the proxy, with the node's certificate
    b.file(
      `${PATHS.env}/etcdctl.env`,
      envFile({
        ETCDCTL_API: "3",
        ETCDCTL_ENDPOINTS: `https://${PROXY_LISTEN}`,
        ETCDCTL_CACERT: `${tls}/ca.crt`,
        ETCDCTL_CERT: `${tls}/node-client.crt`,
        ETCDCTL_KEY: `${tls}/node-client.key`,
        ETCDCTL_DIAL_TIMEOUT: "3s",
        ETCDCTL_COMMAND_TIMEOUT: "5s",
      }),
    );
    script(b, "etcdctl");

    b.unit(
      "etcd-proxy.service",
      `[Unit]
Description=etcd proxy on ${PROXY_LISTEN} to the cluster's members
Documentation=https://etcd.io/docs/v3.6/op-guide/grpc_proxy/
Requires=docker.service
After=docker.service network-online.target
Wants=network-online.target

[Service]
EnvironmentFile=${PATHS.env}/images.env
ExecStartPre=-/usr/bin/docker rm --force etcd-proxy
ExecStart=/usr/bin/docker run --rm --name etcd-proxy --network host \\
  --volume ${tls}:${tls}:ro \\
  --volume /var/lib/etcd-proxy:/var/lib/etcd-proxy \\
  \${ETCD_IMAGE} /usr/local/bin/etcd grpc-proxy start \\
${proxyArgs(ctx)
  .map((a) => `  ${a}`)
  .join(" \\\n")}
ExecStop=/usr/bin/docker stop etcd-proxy
Restart=always
RestartSec=5
TimeoutStartSec=0

[Install]
WantedBy=multi-user.target
`,
      { enabled: true },
    );
  },
};

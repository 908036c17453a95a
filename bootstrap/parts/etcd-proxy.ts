// The etcd proxy every machine runs on 127.0.0.1:2379 (etcd grpc-proxy): node services and the
// API server talk to "localhost" and the proxy balances over all members, so no service on the
// machine needs to know the member addresses. It authenticates to the members with the group's
// proxy client certificate (without a Common Name: grpc-proxy refuses one that has it) and
// requires a client certificate from whoever connects to it.
import { PORTS } from "../../clusters/model/ports";
import type { NodeContext, Part } from "../node";
import { etcdNodeUser } from "../pki/etcd-users";
import { ETCD_CA, nodeClient, proxyClient, proxyServer } from "../pki/spec";
import { certPair, envFile, etcdCaFile, PATHS, script } from "./files";
import { containerService, unitVar } from "./container";

export const PROXY_LISTEN = `127.0.0.1:${PORTS.etcdClient}`;
export const ETCDCTL_ENV = `${PATHS.env}/etcdctl.env`;

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

    // etcdctl for node services and operators: through the proxy, with the node's certificate,
    // as the node group's etcd user (its password: hence root's alone)
    b.file(
      ETCDCTL_ENV,
      [
        envFile({
          ETCDCTL_API: "3",
          ETCDCTL_ENDPOINTS: `https://${PROXY_LISTEN}`,
          ETCDCTL_CACERT: `${tls}/ca.crt`,
          ETCDCTL_CERT: `${tls}/node-client.crt`,
          ETCDCTL_KEY: `${tls}/node-client.key`,
          ETCDCTL_DIAL_TIMEOUT: "3s",
          ETCDCTL_COMMAND_TIMEOUT: "5s",
        }),
        `ETCDCTL_USER=${etcdNodeUser(ctx.group)}:`,
        ctx.values.etcdPassword(ctx.group),
        "\n",
      ],
      { mode: 0o600 },
    );
    script(b, "etcdctl");

    containerService(b, {
      unit: "etcd-proxy.service",
      container: "etcd-proxy",
      description: `etcd proxy on ${PROXY_LISTEN} to the cluster's members`,
      documentation: "https://etcd.io/docs/v3.6/op-guide/grpc_proxy/",
      after: ["network-online.target"],
      wants: ["network-online.target"],
      imagesEnv: true,
      run: [
        `--volume ${tls}:${tls}:ro`,
        "--volume /var/lib/etcd-proxy:/var/lib/etcd-proxy",
        `${unitVar("ETCD_IMAGE")} /usr/local/bin/etcd grpc-proxy start`,
        ...proxyArgs(ctx),
      ],
    });
  },
};

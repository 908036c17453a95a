// The local API load balancer every Kubernetes node runs: HAProxy on 127.0.0.1:7443, forwarding
// to the API servers of all masters and checking each one's /readyz, so kubelets, kube-proxy and
// the control plane itself keep working when any one master is gone — no cloud load balancer.
import { PORTS } from "../../clusters/model/ports";
import { API_LB_PORT } from "../../clusters/model/ports";
import type { NodeContext, Part } from "../node";
import { IMAGES, imageRef } from "../versions";
import { PATHS } from "./files";
import { containerService } from "./container";

export const API_LB_SERVER = `https://127.0.0.1:${API_LB_PORT}`;
export const API_LB_CONFIG = `${PATHS.env}/api-lb.cfg`;

export function haproxyConfig(ctx: NodeContext): string {
  const masters = ctx.cluster.plan.masters;
  return `# Local load balancer for the Kubernetes API (slipway): 127.0.0.1:${API_LB_PORT} -> every master
global
  log stdout format raw local0 notice
  maxconn 4000

defaults
  mode tcp
  log global
  option tcplog
  option dontlognull
  timeout connect 5s
  # a connection to a master that just went away is retried on another one
  retries 3
  option redispatch
  # watches stay open for a long time
  timeout client 1h
  timeout server 1h

frontend kube-apiserver
  bind 127.0.0.1:${API_LB_PORT}
  default_backend masters

backend masters
  balance leastconn
  option httpchk GET /readyz
  http-check expect status 200
  default-server check check-ssl verify none inter 2s fall 3 rise 2
${masters.map((m) => `  server ${m.name} ${m.ip}:${PORTS.apiserver}`).join("\n")}
`;
}

export const apiLbPart: Part = {
  name: "api-lb",
  apply(b, ctx) {
    b.file(API_LB_CONFIG, haproxyConfig(ctx));
    containerService(b, {
      unit: "api-lb.service",
      container: "api-lb",
      description: `Local Kubernetes API load balancer on 127.0.0.1:${API_LB_PORT}`,
      after: ["network-online.target"],
      wants: ["network-online.target"],
      run: [`--volume ${API_LB_CONFIG}:/usr/local/etc/haproxy/haproxy.cfg:ro`, imageRef(IMAGES.haproxy)],
      reload: "/usr/bin/docker kill --signal USR2 api-lb",
    });
  },
};

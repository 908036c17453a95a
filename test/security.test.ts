// Security-group rules: etcd, kubelet and VXLAN only ever from the cluster's own groups; SSH and
// the API only from the admin networks; the world reaches only 80/443 on masters. Checked on the
// cloud-neutral rules (many random files) and on the synthesized OpenStack rules.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { firewallRules, type Rule } from "../stacks/firewall";
import { INTERNAL_PORTS, PORTS } from "../clusters/model/ports";
import { monitoringValues } from "../bootstrap/addons/monitoring";
import { demoCluster, synthJson } from "./helpers/clusters";

const v4Cidr = fc
  .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 32 }))
  .map(([a, b, len]) => {
    const n = ((a * 256 + b) * 65536) >>> 0;
    const masked = len === 0 ? 0 : (n & (~0 << (32 - len))) >>> 0;
    return `${masked >>> 24}.${(masked >>> 16) & 255}.${(masked >>> 8) & 255}.${masked & 255}/${len}`;
  });
const adminCidrs = fc.uniqueArray(fc.oneof(v4Cidr, fc.constantFrom("0.0.0.0/0", "::/0", "2001:db8::/32")), { minLength: 1, maxLength: 6 });

const covers = (r: Rule, port: number) => r.ports !== undefined && r.ports[0] <= port && port <= r.ports[1];

describe("security rules", () => {
  it("never open etcd, kubelet or VXLAN to a CIDR (any admin networks)", () => {
    fc.assert(
      fc.property(adminCidrs, (cidrs) => {
        const rules = firewallRules(demoCluster([[["adminCidrs"], cidrs]]).config);
        for (const r of rules) {
          if ("cidr" in r.from) {
            for (const p of INTERNAL_PORTS) expect(covers(r, p), `${r.description} covers ${p}`).toBe(false);
            expect(r.protocol).toBe("tcp");
          }
        }
        // SSH and API exactly from the admin networks
        const fromCidr = (port: number) =>
          rules.filter((r) => "cidr" in r.from && covers(r, port)).map((r) => ("cidr" in r.from ? r.from.cidr : ""));
        expect(fromCidr(PORTS.ssh).sort()).toEqual([...cidrs].sort());
        expect(fromCidr(PORTS.apiserver).sort()).toEqual([...cidrs].sort());
        // the world only reaches 80/443, only on masters
        for (const r of rules.filter(
          (r) => "cidr" in r.from && (r.from.cidr === "0.0.0.0/0" || r.from.cidr === "::/0") && !cidrs.includes(r.from.cidr),
        )) {
          expect(r.to).toBe("master");
          expect([PORTS.http, PORTS.https]).toContain(r.ports?.[0]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("etcd peers only from etcd members; etcd clients only from cluster machines", () => {
    const rules = firewallRules(demoCluster().config);
    const peer = rules.filter((r) => covers(r, PORTS.etcdPeer));
    expect(peer.map((r) => [r.to, r.from])).toEqual([["etcd", { group: "etcd" }]]);
    const client = rules.filter((r) => covers(r, PORTS.etcdClient));
    expect(client.map((r) => [r.to, r.from])).toEqual([["etcd", { group: "cluster" }]]);
  });

  it("with monitoring on, every target Prometheus scrapes on a machine's own network is open to cluster machines, and only then", () => {
    const cluster = demoCluster([[["addons", "monitoring"], true]]);
    const v = monitoringValues(cluster) as {
      kubeEtcd: { service: { port: number } };
      "prometheus-node-exporter": { service: { port: number } };
    };
    // where each host-network target runs (pod traffic to a node address leaves as its node's, flannel --ip-masq)
    const targets: [Rule["to"], number, string][] = [
      ["etcd", v.kubeEtcd.service.port, "etcd members' /metrics"],
      ["master", PORTS.apiserver, "the API servers"],
      ["cluster", PORTS.kubelet, "kubelets and cAdvisor"],
      ["cluster", v["prometheus-node-exporter"].service.port, "node-exporter"],
    ];
    const open = (rules: Rule[], to: Rule["to"], port: number) =>
      rules.some(
        (r) =>
          r.protocol === "tcp" && covers(r, port) && "group" in r.from && r.from.group === "cluster" && (r.to === to || r.to === "cluster"),
      );
    const rules = firewallRules(cluster.config);
    for (const [to, port, what] of targets) expect(open(rules, to, port), `${what} (${to}:${port})`).toBe(true);
    // without monitoring nothing listens there: closed
    expect(open(firewallRules(demoCluster().config), "cluster", v["prometheus-node-exporter"].service.port)).toBe(false);
  });

  it("the synthesized OpenStack rules keep the same promises", () => {
    fc.assert(
      fc.property(adminCidrs, (cidrs) => {
        const tf = synthJson(demoCluster([[["adminCidrs"], cidrs]]));
        const rules = Object.values(tf.resource.openstack_networking_secgroup_rule_v2 ?? {}) as Record<string, unknown>[];
        expect(rules.length).toBe(firewallRules(demoCluster([[["adminCidrs"], cidrs]]).config).length);
        for (const r of rules) {
          const min = r.port_range_min as number | undefined;
          const max = r.port_range_max as number | undefined;
          const internal = INTERNAL_PORTS.some((p) => min !== undefined && max !== undefined && min <= p && p <= max);
          if (internal || r.protocol === "icmp") {
            expect(r.remote_ip_prefix, JSON.stringify(r)).toBeUndefined();
            expect(String(r.remote_group_id)).toMatch(/^\$\{openstack_networking_secgroup_v2\.secgroup_(cluster|etcd)\.id\}$/);
          }
          if (r.remote_ip_prefix !== undefined) expect(r.ethertype).toBe(String(r.remote_ip_prefix).includes(":") ? "IPv6" : "IPv4");
        }
      }),
      { numRuns: 8 },
    );
  });
});

// The address plan: same file → same addresses; every address unique, inside the node subnet and
// outside the gateway/DHCP range; scaling one pool never moves anything else.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseCluster } from "../clusters/model/load";
import { parseCidr4 } from "../clusters/model/net";
import { OFFSETS, type Plan } from "../clusters/model/plan";
import { demoCluster } from "./helpers/clusters";

const ipNum = (ip: string) => ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
const allNodes = (p: Plan) => [...p.etcd, ...p.masters, ...p.pools.flatMap((x) => x.nodes)];

const poolArb = fc.record({ count: fc.integer({ min: 0, max: 40 }), maxCount: fc.integer({ min: 40, max: 300 }) });
const clusterArb = fc.record({
  etcd: fc.constantFrom(1, 3, 5, 7),
  masters: fc.integer({ min: 1, max: 16 }),
  pools: fc.array(poolArb, { minLength: 1, maxLength: 5 }),
  third: fc.integer({ min: 0, max: 255 }),
});

interface Shape {
  etcd: number;
  masters: number;
  pools: { count: number; maxCount: number }[];
  third: number;
}

function planOf(c: Shape) {
  const file = {
    name: "prop",
    cloud: "openstack",
    adminCidrs: ["192.0.2.0/24"],
    network: { nodes: `10.${c.third}.0.0/16`, pods: "172.16.0.0/12", services: "192.168.0.0/16" },
    etcd: { count: c.etcd },
    masters: { count: c.masters },
    workers: c.pools.map((p, i) => ({ name: `pool${i}`, count: p.count, maxCount: p.maxCount })),
  };
  return parseCluster(stringify(file), "prop.yaml").plan;
}

describe("address plan", () => {
  it("gives the demo its documented addresses", () => {
    const p = demoCluster().plan;
    expect(p.gateway).toEqual(["10.0.0.1"]);
    expect(p.dhcp).toEqual([{ start: "10.0.0.2", end: "10.0.0.15" }]);
    expect(p.etcd.map((n) => [n.name, n.ip])).toEqual([
      ["demo-etcd-0", "10.0.0.16"],
      ["demo-etcd-1", "10.0.0.17"],
      ["demo-etcd-2", "10.0.0.18"],
    ]);
    expect(p.masters.map((n) => n.ip)).toEqual(["10.0.0.32", "10.0.0.33", "10.0.0.34"]);
    expect(p.pools.map((x) => x.nodes.map((n) => `${n.name}=${n.ip}`))).toEqual([
      ["demo-general-0=10.0.0.64", "demo-general-1=10.0.0.65", "demo-general-2=10.0.0.66"],
      ["demo-logging-0=10.0.1.64", "demo-logging-1=10.0.1.65"],
    ]);
    expect(p.apiServiceIp).toBe("10.96.0.1");
    expect(p.dnsServiceIp).toBe("10.96.0.10");
  });

  it("addresses are unique, inside the subnet, and clear of gateway, DHCP and broadcast", () => {
    fc.assert(
      fc.property(clusterArb, (c) => {
        const p = planOf(c);
        const nodes = allNodes(p);
        const subnet = parseCidr4(p.nodes.text);
        expect(new Set(nodes.map((n) => n.ip)).size).toBe(nodes.length);
        expect(new Set(nodes.map((n) => n.name)).size).toBe(nodes.length);
        for (const n of nodes) {
          const off = ipNum(n.ip) - subnet.first;
          expect(off).toBeGreaterThanOrEqual(OFFSETS.etcd);
          expect(off).toBeLessThan(subnet.size - 1);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("is deterministic", () => {
    fc.assert(
      fc.property(clusterArb, (c) => {
        expect(planOf(c)).toEqual(planOf(c));
      }),
      { numRuns: 50 },
    );
  });

  it("scaling one pool moves no other machine", () => {
    fc.assert(
      fc.property(clusterArb, fc.nat(), fc.integer({ min: 0, max: 40 }), (c, which, newCount) => {
        const i = which % c.pools.length;
        const before = planOf(c);
        const scaled = planOf({ ...c, pools: c.pools.map((p, j) => (j === i ? { ...p, count: newCount } : p)) });
        const others = (p: Plan) => allNodes(p).filter((n) => n.pool !== `pool${i}`);
        expect(others(scaled)).toEqual(others(before));
        // and the scaled pool keeps the addresses of the machines it keeps
        const kept = Math.min(newCount, c.pools[i]?.count ?? 0);
        expect(scaled.pools[i]?.nodes.slice(0, kept)).toEqual(before.pools[i]?.nodes.slice(0, kept));
      }),
      { numRuns: 200 },
    );
  });
});

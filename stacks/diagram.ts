// `slipway diagram`: a picture of the cluster as Graphviz lays it out (compiled to WebAssembly,
// @viz-js/viz; no coordinates are placed by hand). It shows the network and its zones, the etcd
// members with their volumes, the masters with their public addresses and DNS names, each pool with
// its size and machine type, and the flows the security groups allow (stacks/firewall.ts, the
// same rules the stacks turn into security groups) — so the picture cannot drift from what is built.
import { cloudOf } from "../clusters/model/clouds";
import { dotLines, dotString } from "../clusters/model/escape";
import type { Cluster } from "../clusters/model/load";
import { dnsNames } from "../clusters/model/names";
import type { NodePlan } from "../clusters/model/plan";
import { API_LB_PORT, PORTS } from "../clusters/model/ports";
import { firewallRules, type Group, type Rule } from "./firewall";

const PROXY_ADDRESS = `127.0.0.1:${PORTS.etcdClient}`;

/** The first line of every SVG `slipway diagram` writes (how it knows a file is its own). */
export const DIAGRAM_MARK = "<!-- slipway diagram";

const GROUP_LABEL: Record<Group, string> = {
  cluster: "every machine",
  etcd: "etcd members",
  master: "masters",
  worker: "worker pools",
};

function portText(r: Rule): string {
  if (r.protocol === "icmp") return "ICMP";
  const [a, b] = r.ports ?? [0, 0];
  return `${r.protocol.toUpperCase()} ${a === b ? a : `${a}-${b}`}`;
}

/** The cluster as a DOT graph. */
export function clusterDot(cluster: Cluster): string {
  const { config, plan } = cluster;
  const pic = cloudOf(config).picture(config as never);
  const names = dnsNames(config);
  const out: string[] = [];
  const line = (s: string) => out.push(s);
  const zoneOf = (n: NodePlan) => pic.zones[n.zone] ?? `zone ${n.zone}`;

  line("digraph slipway {");
  line(
    `  graph [rankdir=LR, compound=true, newrank=true, fontname="Helvetica", fontsize=12, nodesep=0.25, ranksep=1.1, labelloc=t, label=${dotString(
      `${config.name} (${config.cloud}) — drawn by slipway`,
    )}];`,
  );
  line('  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=10];');
  line('  edge [fontname="Helvetica", fontsize=9, color="#555555"];');
  line(`  internet [shape=ellipse, fillcolor="#f2f2f2", label="internet"];`);
  line(`  admins [shape=ellipse, fillcolor="#f2f2f2", label=${dotLines(["admin networks", ...config.adminCidrs])}];`);

  // what each group admits from itself (peers) goes in its label; every other flow is an edge
  const rules = firewallRules(config);
  const selfFlows = (g: Group) =>
    rules.filter((r) => "group" in r.from && r.from.group === g && r.to === g).map((r) => `${portText(r)}: ${r.description}`);

  line(
    `  subgraph cluster_net { label=${dotLines([`${pic.network} ${plan.nodes.text}`, `zones: ${pic.zones.join(", ")}`, ...selfFlows("cluster")])}; style="rounded"; color="#7a7a7a";`,
  );
  line(
    `    machines [shape=note, fillcolor="#fafafa", label=${dotLines([GROUP_LABEL.cluster, `etcd proxy on ${PROXY_ADDRESS}`, `API load balancer on 127.0.0.1:${API_LB_PORT}`])}];`,
  );

  line(
    `    subgraph cluster_etcd { label=${dotLines([GROUP_LABEL.etcd, ...selfFlows("etcd")])}; style="rounded,filled"; fillcolor="#eef5ff";`,
  );
  for (const m of plan.etcd)
    line(
      `      ${dotString(m.name)} [label=${dotLines([m.name, `${m.ip} · ${zoneOf(m)}`, pic.size.etcd, `data: ${pic.volume(config.etcd.volumeSize)}`])}];`,
    );
  line("    }");

  line(
    `    subgraph cluster_masters { label=${dotLines([GROUP_LABEL.master, ...selfFlows("master")])}; style="rounded,filled"; fillcolor="#eefaf0";`,
  );
  for (const m of plan.masters)
    line(`      ${dotString(m.name)} [label=${dotLines([m.name, `${m.ip} · ${zoneOf(m)}`, pic.size.master, `+ ${pic.publicAddress}`])}];`);
  if (names) line(`      dns [shape=note, fillcolor="#fffbe6", label=${dotLines(["DNS (Cloudflare)", names.api, names.ingress])}];`);
  line("    }");

  line(
    `    subgraph cluster_workers { label=${dotLines([GROUP_LABEL.worker, ...selfFlows("worker")])}; style="rounded,filled"; fillcolor="#fff5ec";`,
  );
  for (const p of plan.pools) {
    const first = p.nodes[0]?.ip;
    const last = p.nodes.at(-1)?.ip;
    const where = p.nodes.length ? (first === last ? `${first}` : `${first} … ${last}`) : `Auto Scaling group, up to ${p.maxCount}`;
    const logs = p.logsVolumeSize ? [`logs: ${pic.volume(p.logsVolumeSize)}`] : [];
    line(
      `      ${dotString(`pool ${p.name}`)} [label=${dotLines([`pool ${p.name}`, `${p.count} × ${pic.size.pools[p.name] ?? "?"}`, where, ...logs])}];`,
    );
  }
  line("    }");
  line("  }");

  // an edge enters or leaves a group's box (compound edges), anchored at one of its machines
  const anchor: Record<Group, { node: string; box?: string }> = {
    cluster: { node: "machines" },
    etcd: { node: dotString(plan.etcd[0]?.name ?? ""), box: "cluster_etcd" },
    master: { node: dotString(plan.masters[0]?.name ?? ""), box: "cluster_masters" },
    worker: { node: dotString(`pool ${plan.pools[0]?.name ?? ""}`), box: "cluster_workers" },
  };
  const flows = new Map<string, { from: string; to: Group; ltail?: string; ports: string[] }>();
  for (const r of rules) {
    let from: string;
    let ltail: string | undefined;
    if ("group" in r.from) {
      if (r.from.group === r.to) continue; // in the group's label
      from = anchor[r.from.group].node;
      ltail = anchor[r.from.group].box;
    } else from = r.from.cidr === "0.0.0.0/0" || r.from.cidr === "::/0" ? "internet" : "admins";
    const key = `${from}>${r.to}`;
    const f = flows.get(key) ?? { from, to: r.to, ...(ltail ? { ltail } : {}), ports: [] };
    const text = portText(r);
    if (!f.ports.includes(text)) f.ports.push(text);
    flows.set(key, f);
  }
  for (const f of flows.values()) {
    const to = anchor[f.to];
    const attrs = [`label=${dotString(f.ports.join(", "))}`];
    if (to.box) attrs.push(`lhead=${to.box}`);
    else attrs.push("lhead=cluster_net");
    if (f.ltail) attrs.push(`ltail=${f.ltail}`);
    line(`  ${f.from} -> ${to.node} [${attrs.join(", ")}];`);
  }
  line("}");
  return `${out.join("\n")}\n`;
}

/** The cluster as an SVG document, marked as slipway's. */
export async function clusterSvg(cluster: Cluster): Promise<string> {
  const { instance } = await import("@viz-js/viz");
  const viz = await instance();
  const svg = viz.renderString(clusterDot(cluster), { format: "svg" });
  // the mark after the XML declaration (which must stay first); a text alternative for readers
  const alt = `The cluster ${cluster.config.name} as slipway diagram draws it`.replace(/[&<>"]/g, "");
  return svg
    .replace(/^(<\?xml[^>]*\?>\n)/, `$1${DIAGRAM_MARK} of ${cluster.config.name} -->\n`)
    .replace(/<svg /, `<svg role="img" aria-label="${alt}" `);
}

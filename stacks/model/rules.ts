// Rules that need the whole (schema-valid) file at once. Each returns problems with the field path
// they are about, so the loader can point at the right line.
import { type Cidr4, overlaps, parseCidr4 } from "./net";
import { AWS_SPLIT, layout, OFFSETS, zoneCount } from "./plan";
import type { ClusterConfig } from "./schema";

export interface RuleProblem {
  path: (string | number)[];
  message: string;
}

const RESERVED_POOL_NAMES = new Set(["etcd", "master"]);

export function checkRules(config: ClusterConfig): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });

  // --- worker pools: unique names, not colliding with role names, counts within their block
  const seen = new Map<string, number>();
  config.workers.forEach((w, i) => {
    const first = seen.get(w.name);
    if (first !== undefined) add(["workers", i, "name"], `duplicate pool name "${w.name}" (also workers[${first}].name)`);
    else seen.set(w.name, i);
    if (RESERVED_POOL_NAMES.has(w.name))
      add(["workers", i, "name"], `"${w.name}" is reserved for the ${w.name} machines; choose another pool name`);
    if (w.count > w.maxCount)
      add(
        ["workers", i, "count"],
        `${w.count} machines do not fit the pool's ${w.maxCount} reserved addresses; raise workers[${i}].maxCount ` +
          "(this moves the addresses of the pools after it) or add a new pool",
      );
  });

  // --- machine names must stay valid host names (63 characters)
  const longest = Math.max(...config.workers.map((w) => `${config.name}-${w.name}-${Math.max(w.count - 1, 0)}`.length));
  if (longest > 63)
    add(["name"], `machine names such as ${config.name}-<pool>-<index> would exceed 63 characters; shorten the cluster or pool names`);

  // --- networks: no overlaps between nodes, pods and services
  const nets: { key: "nodes" | "pods" | "services"; cidr: Cidr4 }[] = (["nodes", "pods", "services"] as const).map((key) => ({
    key,
    cidr: parseCidr4(config.network[key]),
  }));
  for (let i = 0; i < nets.length; i++)
    for (let j = i + 1; j < nets.length; j++) {
      const a = nets[i] as (typeof nets)[number];
      const b = nets[j] as (typeof nets)[number];
      if (overlaps(a.cidr, b.cidr))
        add(
          ["network", b.key],
          `${b.cidr.text} overlaps network.${a.key} (${a.cidr.text}); network.nodes, pods and services must not overlap`,
        );
    }

  // --- capacity of the node network
  const nodes = nets[0]?.cidr as Cidr4;
  if (config.cloud === "openstack") {
    const { offsetsUsed } = layout(config);
    if (offsetsUsed > nodes.size) {
      const pools = config.workers.map((w) => `${w.name} ${w.maxCount}`).join(", ");
      add(
        ["network", "nodes"],
        `${nodes.text} is too small: the address plan needs ${offsetsUsed} addresses ` +
          `(${OFFSETS.pools} for gateway, DHCP, etcd and masters, then the pools' reserved addresses: ${pools}); ` +
          "use a larger subnet or lower the pools' maxCount",
      );
    }
  } else {
    // eight equal subnets (public and private per zone) of at least /24 each
    const part = nodes.size / AWS_SPLIT;
    if (part < 256)
      add(
        ["network", "nodes"],
        `${nodes.text} is too small on AWS: it is cut into ${AWS_SPLIT} subnets (a public and a private one per zone) of at least /24 each; use /21 or larger`,
      );
    else {
      const zones = zoneCount(config);
      const perZone = config.workers.reduce((n, w) => n + Math.ceil(w.count / zones), 0);
      const room = part - OFFSETS.pools - 1;
      if (perZone > room)
        add(
          ["network", "nodes"],
          `${nodes.text} leaves ${room} worker addresses per zone subnet, but the pools need ${perZone} per zone; use a larger network`,
        );
    }
  }

  // --- pod network must give every node its own pod subnet
  const pods = nets[1]?.cidr as Cidr4;
  const podLen = config.network.podSubnetPrefix;
  if (podLen < pods.prefix) {
    add(["network", "podSubnetPrefix"], `/${podLen} is larger than the pod network ${pods.text} itself`);
  } else {
    const podSubnets = 2 ** (podLen - pods.prefix);
    const machines = config.etcd.count + config.masters.count + config.workers.reduce((n, w) => n + w.count, 0);
    if (machines > podSubnets)
      add(
        ["network", "pods"],
        `${pods.text} holds ${podSubnets} node pod subnets of /${podLen}, but the cluster has ${machines} machines; ` +
          "use a larger pod network or a longer network.podSubnetPrefix",
      );
  }

  // --- service network: needs room for the API and DNS service addresses
  const services = nets[2]?.cidr as Cidr4;
  if (services.size < 16) add(["network", "services"], `${services.text} is too small for Services (use /24 or larger)`);

  // --- certificates renew before they expire
  if (config.pki.renewBeforeDays >= config.pki.certValidityDays)
    add(["pki", "renewBeforeDays"], `must be shorter than pki.certValidityDays (${config.pki.certValidityDays})`);
  if (config.pki.certValidityDays > config.pki.caValidityDays)
    add(
      ["pki", "certValidityDays"],
      `must not exceed pki.caValidityDays (${config.pki.caValidityDays}): a certificate cannot outlive its CA`,
    );

  // --- Kubernetes binaries: a downloaded extension must be verifiable
  const bin = config.kubernetes.binaries;
  if (bin.source === "sysext" && !bin.sha512)
    add(
      ["kubernetes", "binaries", "sha512"],
      "is required with source: sysext: machines verify the downloaded extension against it (or bake it into the image and use source: image)",
    );
  if (bin.source === "image" && (bin.url || bin.sha512))
    add(
      ["kubernetes", "binaries", "source"],
      "is image, so url and sha512 would never be used; set source: sysext to download the extension",
    );

  // --- AWS: zones of the region; instance types of the image's architecture
  if (config.cloud === "aws") {
    const { aws } = config;
    const zones = aws.zones;
    if (Array.isArray(zones)) {
      for (const [i, z] of zones.entries()) {
        if (!z.startsWith(aws.region)) add(["aws", "zones", i], `${z} is not a zone of region ${aws.region}`);
        else if (zones.indexOf(z) !== i) add(["aws", "zones", i], `${z} is listed twice`);
      }
    }
    // Graviton families carry a "g" after the generation: t4g, m7gd, c6gn, g5g (but not g5, g4dn)
    const arm = (t: string) => /^[a-z]+\d+[a-z]*g[a-z]*\./.test(t);
    const check = (path: (string | number)[], t: string) => {
      if (arm(t) && config.image.arch !== "arm64")
        add(path, `${t} is a Graviton (arm64) type, but image.arch is ${config.image.arch}; set image.arch: arm64`);
      if (!arm(t) && config.image.arch === "arm64") add(path, `${t} is not an arm64 (Graviton) type, but image.arch is arm64`);
    };
    check(["etcd", "instanceType"], config.etcd.instanceType);
    check(["masters", "instanceType"], config.masters.instanceType);
    for (const [i, w] of config.workers.entries()) check(["workers", i, "instanceType"], w.instanceType);
  }

  // --- image: exactly one selector
  if (config.cloud === "openstack") {
    const sel = (["name", "id", "properties"] as const).filter((k) => config.image[k] !== undefined);
    if (sel.length !== 1)
      add(
        ["image"],
        sel.length === 0 ? "needs one of name, id or properties" : `give only one of name, id or properties (found ${sel.join(", ")})`,
      );
  }
  return problems;
}

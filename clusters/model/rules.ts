// Rules that need the whole (schema-valid) file at once, one function per concern; the cloud's
// own rules come from its descriptor. Each reports problems with the field path they are about,
// so the loader can point at the right line.
import { addonRules } from "./addon-rules";
import type { RuleSink } from "./cloud";
import { cloudOf } from "./clouds";
import { type Cidr4, overlaps, parseCidr4 } from "./net";
import { kubernetesBinaries } from "./sysext";
import type { ClusterConfig } from "./schema";

export interface RuleProblem {
  path: (string | number)[];
  message: string;
}

const RESERVED_POOL_NAMES = new Set(["etcd", "master"]);

/** Worker pools: unique names, not colliding with role names, host names within 63 characters. */
function poolRules(config: ClusterConfig, add: RuleSink): void {
  const seen = new Map<string, number>();
  config.workers.forEach((w, i) => {
    const first = seen.get(w.name);
    if (first !== undefined) add(["workers", i, "name"], `duplicate pool name "${w.name}" (also workers[${first}].name)`);
    else seen.set(w.name, i);
    if (RESERVED_POOL_NAMES.has(w.name))
      add(["workers", i, "name"], `"${w.name}" is reserved for the ${w.name} machines; choose another pool name`);
  });
  // machine names must stay valid host names (63 characters)
  const longest = Math.max(...config.workers.map((w) => `${config.name}-${w.name}-${Math.max(w.count - 1, 0)}`.length));
  if (longest > 63)
    add(["name"], `machine names such as ${config.name}-<pool>-<index> would exceed 63 characters; shorten the cluster or pool names`);
}

/** The three networks: no overlaps; every node gets a pod subnet; room for the Service addresses. */
function networkRules(config: ClusterConfig, add: RuleSink): void {
  // admin networks are canonical already (2001:0DB8::/32 reads as 2001:db8::/32): equal text is the same network
  config.adminCidrs.forEach((c, i) => {
    const first = config.adminCidrs.indexOf(c);
    if (first !== i) add(["adminCidrs", i], `${c} is listed twice (also adminCidrs[${first}]); each network once`);
  });

  const nets = (["nodes", "pods", "services"] as const).map((key) => ({ key, cidr: parseCidr4(config.network[key]) }));
  nets.forEach((b, j) => {
    for (const a of nets.slice(0, j))
      if (overlaps(a.cidr, b.cidr))
        add(
          ["network", b.key],
          `${b.cidr.text} overlaps network.${a.key} (${a.cidr.text}); network.nodes, pods and services must not overlap`,
        );
  });

  const pods = parseCidr4(config.network.pods);
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

  const services: Cidr4 = parseCidr4(config.network.services);
  if (services.size < 16) add(["network", "services"], `${services.text} is too small for Services (use /24 or larger)`);
}

/** Certificates renew before they expire, and never outlive their CA. */
function pkiRules(config: ClusterConfig, add: RuleSink): void {
  if (config.pki.renewBeforeDays >= config.pki.certValidityDays)
    add(["pki", "renewBeforeDays"], `must be shorter than pki.certValidityDays (${config.pki.certValidityDays})`);
  if (config.pki.certValidityDays > config.pki.caValidityDays)
    add(
      ["pki", "certValidityDays"],
      `must not exceed pki.caValidityDays (${config.pki.caValidityDays}): a certificate cannot outlive its CA`,
    );
}

/** Every machine gets a kubelet: from its image, or from a download that can be verified. */
function binariesRules(config: ClusterConfig, add: RuleSink): void {
  const bin = config.kubernetes.binaries;
  const baked = cloudOf(config).bakedKubernetes(config);
  const resolved = kubernetesBinaries(config);
  if (bin.url && !bin.sha512)
    add(
      ["kubernetes", "binaries", "sha512"],
      "is required with a url of your own: Ignition verifies the download against it (only the bakery's default url is trusted on its HTTPS alone)",
    );
  if (bin.source === "image" && (bin.url || bin.sha512))
    add(["kubernetes", "binaries", "source"], "is image, so url and sha512 would never be used; remove source to download the extension");
  if (resolved.source === "image" && baked !== undefined && baked !== config.kubernetes.version)
    add(
      ["kubernetes", "binaries", "source"],
      `is image, but the selected image carries Kubernetes ${baked} (image.properties.slipway_kubernetes) and kubernetes.version is ${config.kubernetes.version}; select an image with ${config.kubernetes.version} baked in, or remove source to download it`,
    );
}

export function checkRules(config: ClusterConfig): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const add: RuleSink = (path, message) => problems.push({ path, message });
  poolRules(config, add);
  networkRules(config, add);
  pkiRules(config, add);
  binariesRules(config, add);
  addonRules(config, add);
  cloudOf(config).rules(config, add);
  return problems;
}

// OpenStack, as the rest of Slipway needs to know it: its part of the cluster file, its rules, its
// address plan (one subnet, fixed addresses for every machine), Nova's user_data limit and the
// devices volumes appear as. Read by every layer: imports only the model.
import { z } from "zod";
import type { CloudDescriptor } from "../../clusters/model/cloud";
import {
  backupSchema,
  cloudName,
  clusterSchema,
  etcdSchema,
  gib,
  mastersSchema,
  text,
  workersSchema,
} from "../../clusters/model/fragments";
import { wildcardTls } from "../../clusters/model/addons";
import { addressAt, isIp, parseCidr4 } from "../../clusters/model/net";
import { type CloudPlan, OFFSETS, place } from "../../clusters/model/placement";
import { openstackAddons } from "./cloud-addons";

/** Flavors are named by operators: letters, digits, . _ : + / - and inner spaces ("m1.large", "SCS-2V-4", "b2-7"). */
const flavorName = z
  .string()
  .max(255, "must be at most 255 characters")
  .regex(
    /^[A-Za-z0-9]([A-Za-z0-9 ._:+/-]*[A-Za-z0-9])?$/,
    "must be a flavor name such as m1.large: letters, digits, spaces and . _ : + / -",
  );

const OpenstackImage = z
  .strictObject({
    name: text().optional().describe("Glance image name (the most recent image with this name)."),
    id: z
      .string()
      .regex(/^[0-9a-f-]{36}$/, "must be a Glance image UUID")
      .optional()
      .describe("Glance image id."),
    properties: z
      .record(
        z.string().regex(/^[A-Za-z0-9_:.-]+$/, "must be a Glance property name"),
        text().describe("The value the property must have."),
      )
      .optional()
      .describe("Select the most recent image having all of these properties (as set by `slipway image upload`)."),
  })
  .default({ name: "flatcar-stable" })
  .describe("The Flatcar image, by exactly one of name, id or properties.");

const Openstack = z
  .strictObject({
    cloud: text().optional().describe("Entry in clouds.yaml to authenticate with. Omit it to use the OS_* environment variables."),
    region: cloudName("RegionOne").optional().describe("OpenStack region. Default: the clouds.yaml entry's or OS_REGION_NAME."),
    externalNetwork: text().default("public").describe("External network for the router and floating IPs (its name)."),
    dnsNameservers: z
      .array(
        z
          .string()
          .refine((s) => isIp(s) && !s.includes(":"), { message: "must be an IPv4 address" })
          .describe("An IPv4 address."),
      )
      .max(5)
      .default(["1.1.1.1", "9.9.9.9"])
      .describe("Resolvers the node subnet hands out."),
    serverGroupPolicy: z
      .enum(["anti-affinity", "soft-anti-affinity"])
      .default("anti-affinity")
      .describe("Nova server-group policy for masters and etcd members. Use soft-anti-affinity on clouds with few hypervisors."),
    availabilityZone: cloudName("nova").optional().describe("Nova and Cinder availability zone for every machine and volume."),
    volumeType: text().optional().describe("Cinder volume type for data and logs volumes."),
    apiLoadBalancer: z
      .strictObject({
        flavor: flavorName.optional().describe("Octavia flavor name."),
      })
      .optional()
      .describe(
        "Put an Octavia load balancer (with a floating IP) in front of the masters' API. Not needed for availability: every node " +
          "already balances over all masters locally; use it for one stable public API address.",
      ),
    configStore: z
      .enum(["inline", "swift"])
      .default("inline")
      .describe(
        "Where machine configs go. inline: all in user_data (Nova takes 65,535 bytes, base64-counted). swift: a config over half " +
          "of that is an object in a private Swift container of the cluster, and user_data a pointer Ignition follows (a temporary " +
          "URL, the config's SHA-512 checked) — keeps headroom for masters and addons; needs Swift (with temporary URLs) in the cloud.",
      ),
  })
  .describe("OpenStack settings.");

const flavor = (def: string) => flavorName.default(def).describe("Nova flavor name.");

export const OpenstackCluster = clusterSchema(
  "openstack",
  { openstack: Openstack.prefault({}), image: OpenstackImage },
  {
    etcd: etcdSchema({
      flavor: flavor("m1.small"),
      volumeSize: gib("Cinder data volume per member").default(10),
      // Swift, with a write-only application credential: default on
      backup: backupSchema(true),
    }).prefault({}),
    masters: mastersSchema({ flavor: flavor("m1.medium") }).prefault({}),
    workers: workersSchema({
      flavor: flavor("m1.large"),
      maxCount: z
        .number()
        .int()
        .min(1)
        .max(65536)
        .default(256)
        .describe("Addresses reserved for the pool, so scaling it never moves another pool's addresses."),
      logsVolumeSize: gib("Cinder volume mounted at /var/log on each machine").optional(),
    }).default([{ name: "general", count: 3, flavor: "m1.large", maxCount: 256 }]),
  },
);

export type OpenstackClusterConfig = z.output<typeof OpenstackCluster>;

/** Each pool's block of offsets in the one subnet, and how many offsets the plan uses. */
export function layout(config: OpenstackClusterConfig) {
  let next: number = OFFSETS.pools;
  const blocks = config.workers.map((w) => {
    const block = { name: w.name, offset: next, size: w.maxCount };
    next += w.maxCount;
    return block;
  });
  // +1: the last address of a subnet is its broadcast address
  return { blocks, offsetsUsed: next + 1 };
}

export const openstack: CloudDescriptor<OpenstackClusterConfig, typeof OpenstackCluster> = {
  name: "openstack",
  schema: OpenstackCluster,
  ownFields: ["openstack", "flavor", "maxCount"],

  rules(config, add) {
    // a pool's machines must fit its block of reserved addresses
    config.workers.forEach((w, i) => {
      if (w.count > w.maxCount)
        add(
          ["workers", i, "count"],
          `${w.count} machines do not fit the pool's ${w.maxCount} reserved addresses; raise workers[${i}].maxCount ` +
            "(this moves the addresses of the pools after it) or add a new pool",
        );
    });
    const nodes = parseCidr4(config.network.nodes);
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
    const sel = (["name", "id", "properties"] as const).filter((k) => config.image[k] !== undefined);
    if (sel.length !== 1)
      add(
        ["image"],
        sel.length === 0 ? "needs one of name, id or properties" : `give only one of name, id or properties (found ${sel.join(", ")})`,
      );
    // the masters carry the DNS-01 token; inline, it would sit in user_data in the clear
    if (wildcardTls(config) && config.openstack.configStore === "inline")
      add(
        ["openstack", "configStore"],
        "is inline, but addons.tls puts a Cloudflare token on the masters for the dns.ingress wildcard certificate and user_data is " +
          "readable in the clear by whoever can read the instance: use configStore: swift, or set addons.tls.wildcard: false",
      );
  },

  // One subnet, the node network itself; every machine, pool machines included, at a fixed address.
  plan(config): CloudPlan {
    const nodes = parseCidr4(config.network.nodes);
    const { blocks } = layout(config);
    const subnets = [nodes];
    return {
      zones: 1,
      subnets,
      publicSubnets: [0],
      privateSubnets: [],
      workerSubnets: [0],
      gateway: [addressAt(nodes, OFFSETS.gateway)],
      dhcp: [{ start: addressAt(nodes, OFFSETS.dhcpFirst), end: addressAt(nodes, OFFSETS.dhcpLast) }],
      etcd: place("etcd", `${config.name}-etcd`, config.etcd.count, OFFSETS.etcd, subnets, [0]),
      masters: place("master", `${config.name}-master`, config.masters.count, OFFSETS.masters, subnets, [0]),
      pools: config.workers.map((w, i) => {
        const block = blocks[i] as { offset: number; size: number };
        return {
          name: w.name,
          count: w.count,
          maxCount: w.maxCount,
          ...(w.logsVolumeSize ? { logsVolumeSize: w.logsVolumeSize } : {}),
          blockOffset: block.offset,
          blockSize: block.size,
          nodes: place("worker", `${config.name}-${w.name}`, w.count, block.offset, subnets, [0], w.name),
        };
      }),
    };
  },

  // a floating IP per master, and the Octavia load balancer's
  publicApiEndpoints: (config) => ({ ips: config.masters.count + (config.openstack.apiLoadBalancer ? 1 : 0), names: 0 }),
  userData: {
    limit: 65535,
    counted: "base64",
    what: "Nova accepts at most 65,535 bytes of base64-encoded user_data",
    remedy: "set openstack.configStore: swift to serve configs over half of that from Swift",
  },
  namesPoolMachines: false,
  // virtio disks in attachment order; the stacks pass volume ids, which prepare-volume finds by id
  devices: { logs: "/dev/vdc", renderDefaults: { etcdData: "/dev/vdb", logs: "/dev/vdc" } },
  // `slipway image upload` records what it baked in as this property; a file selecting by it knows
  bakedKubernetes: (config) => config.image.properties?.slipway_kubernetes,
  sysextArch: () => "x86-64",
  providerId: "openstack:///<instance uuid>",
  identityScript: "stacks/openstack/node-identity.sh",
  metadataAddress: "169.254.169.254/32",
  // Swift, through an application credential whose access rules allow PUT into one container
  backupStore: "swift",
  // <cluster>-<pool>-<index> (the plan names them; an index below the pool's maxCount)
  joinNames: (config, plan, pool) => {
    const max = plan.pools.find((p) => p.name === pool)?.maxCount ?? 0;
    return { names: `^${config.name}-${pool}-(0|[1-9][0-9]{0,${Math.max(0, String(max - 1).length - 1)}})$` };
  },
  picture: (config) => ({
    network: "Neutron network",
    zones: [config.openstack.availabilityZone ?? "default zone"],
    size: {
      etcd: config.etcd.flavor,
      master: config.masters.flavor,
      pools: Object.fromEntries(config.workers.map((w) => [w.name, w.flavor])),
    },
    volume: (gib) => `Cinder volume ${gib} GiB`,
    publicAddress: "floating IP",
  }),
  // the provider reads clouds.yaml when the file names an entry, the OS_* variables otherwise; an
  // application credential is what a pipeline should hold (scoped to one project, revocable)
  ci: (config) => ({
    region: config.openstack.region ?? "default",
    variables: config.openstack.cloud
      ? [{ name: "OS_CLIENT_CONFIG_FILE", what: `a clouds.yaml with the entry ${config.openstack.cloud}`, file: true }]
      : [
          { name: "OS_AUTH_URL", what: "Keystone's URL" },
          { name: "OS_AUTH_TYPE", what: "v3applicationcredential" },
          { name: "OS_APPLICATION_CREDENTIAL_ID", what: "an application credential of the project" },
          { name: "OS_APPLICATION_CREDENTIAL_SECRET", what: "its secret" },
          ...(config.openstack.region ? [] : [{ name: "OS_REGION_NAME", what: "the region (the file names none)" }]),
        ],
  }),
  addons: openstackAddons,
};

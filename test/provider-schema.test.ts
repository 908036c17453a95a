// Every openstack_* resource and data source Slipway synthesizes must conform to the real
// provider schema (terraform-provider-openstack v3.4.0, `terraform providers schema -json`).
import { describe, expect, it } from "vitest";
import { demoCluster, synthJson } from "./helpers/clusters";
import { checkAgainstSchema, loadOpenstackSchema } from "./helpers/tf-schema";

const schema = loadOpenstackSchema();

// Variants that between them produce every resource kind and option the stack can emit.
const variants: Record<string, [path: (string | number)[], value: unknown][]> = {
  demo: [],
  "image by id, no ssh keys, soft anti-affinity, AZ and volume type": [
    [["image"], { id: "0f7f2b1e-7a8a-4a52-9b55-9e7a1c1b7a11" }],
    [["ssh", "authorizedKeys"], []],
    [["openstack", "serverGroupPolicy"], "soft-anti-affinity"],
    [["openstack", "availabilityZone"], "nova"],
    [["openstack", "volumeType"], "ssd"],
  ],
  "image by properties, single etcd and master, OS_* credentials": [
    [["image"], { properties: { os_distro: "flatcar", flatcar_channel: "stable" } }],
    [["etcd", "count"], 1],
    [["masters", "count"], 1],
    [["openstack", "cloud"], undefined],
    [["openstack", "region"], undefined],
  ],
  "an Octavia API load balancer with a flavor": [[["openstack", "apiLoadBalancer"], { flavor: "amphora-ha" }]],
  "dns, s3 backend and an empty pool": [
    [["dns"], { zone: "example.com", zoneId: "0123456789abcdef0123456789abcdef" }],
    [["backend"], { type: "s3", bucket: "tfstate", region: "eu-west-1", endpoint: "https://s3.example.com" }],
    [["workers", 1, "count"], 0],
  ],
};

describe("synthesized OpenStack resources conform to the provider schema", () => {
  for (const [name, changes] of Object.entries(variants)) {
    it(name, () => {
      const tf = synthJson(demoCluster(changes));
      expect(checkAgainstSchema(tf, schema)).toEqual([]);
      // the check actually looked at something
      expect(Object.keys(tf.resource).filter((t) => t.startsWith("openstack_")).length).toBeGreaterThan(10);
    });
  }

  it("the checker catches what terraform validate would reject", () => {
    const tf = synthJson(demoCluster());
    const broken = JSON.parse(JSON.stringify(tf)) as typeof tf;
    const inst = broken.resource.openstack_compute_instance_v2 as Record<string, Record<string, unknown>>;
    const etcd0 = inst.etcd_0 as Record<string, unknown>;
    delete etcd0.name; // required
    etcd0.flavour = "m1.small"; // unknown
    etcd0.config_drive = "yes"; // wrong type
    etcd0.access_ip_v6 = "::1"; // computed only
    etcd0.network = { port: "x" }; // list block given as object
    etcd0.user_data = "${openstack_networking_port_v2.nope.id}"; // dangling reference
    (broken.resource as Record<string, unknown>).openstack_compute_instance_v9 = { x: {} };
    const problems = checkAgainstSchema(broken, schema);
    expect(problems).toEqual(
      expect.arrayContaining([
        "openstack_compute_instance_v2.etcd_0.name: required attribute missing",
        "openstack_compute_instance_v2.etcd_0.flavour: unknown attribute or block",
        'openstack_compute_instance_v2.etcd_0.config_drive: expected bool, got "yes"',
        "openstack_compute_instance_v2.etcd_0.access_ip_v6: computed-only attribute cannot be set",
        "openstack_compute_instance_v2.etcd_0.network: block must be a list of objects",
        "reference openstack_networking_port_v2.nope.id: no such resource in the stack",
        "openstack_compute_instance_v9: not a resource type of the provider",
      ]),
    );
  });
});

// The synthesized OpenStack stack: what it contains, that it is deterministic, and that scaling
// one pool touches nothing else.
import { describe, expect, it } from "vitest";
import { ComputeInstanceV2 } from "../stacks/openstack/gen/compute-instance-v2";
import { BlockstorageVolumeV3 } from "../stacks/openstack/gen/blockstorage-volume-v3";
import { NetworkingSubnetV2 } from "../stacks/openstack/gen/networking-subnet-v2";
import { ComputeServergroupV2 } from "../stacks/openstack/gen/compute-servergroup-v2";
import { NetworkingRouterV2 } from "../stacks/openstack/gen/networking-router-v2";
import { OpenstackProvider } from "../stacks/openstack/gen/provider";
import { countResources } from "../stacks/app";
import { demoCluster, resourcesOf, synthJson, synthText, type TfJson } from "./helpers/clusters";
import { servedConfigFile, specSans } from "./helpers/tf-values";

const res = resourcesOf;

describe("OpenStack stack", () => {
  const text = synthText(demoCluster());
  const tf = JSON.parse(text) as TfJson;

  it("has the network, routed to the external network, with the planned subnet", () => {
    expect(text).toHaveResourceWithProperties(NetworkingSubnetV2, {
      cidr: "10.0.0.0/16",
      gateway_ip: "10.0.0.1",
      dns_nameservers: ["1.1.1.1", "9.9.9.9"],
      allocation_pool: [{ start: "10.0.0.2", end: "10.0.0.15" }],
    });
    expect(text).toHaveResourceWithProperties(NetworkingRouterV2, {
      external_network_id: "${data.openstack_networking_network_v2.external_network.id}",
    });
    expect(tf.data?.openstack_networking_network_v2?.external_network).toMatchObject({ name: "public", external: true });
  });

  it("authenticates through clouds.yaml and never carries a credential", () => {
    expect(text).toHaveProviderWithProperties(OpenstackProvider, { cloud: "demo", region: "RegionOne" });
    expect(tf.provider?.openstack).toEqual([{ cloud: "demo", region: "RegionOne" }]);
    expect(JSON.stringify(tf.provider)).not.toMatch(/password|secret|token|application_credential/i);
  });

  it("spreads masters and etcd members with anti-affinity server groups", () => {
    expect(text).toHaveResourceWithProperties(ComputeServergroupV2, { name: "demo-etcd", policies: ["anti-affinity"] });
    expect(text).toHaveResourceWithProperties(ComputeServergroupV2, { name: "demo-master", policies: ["anti-affinity"] });
    for (const i of [0, 1, 2]) {
      expect(res(tf, "openstack_compute_instance_v2")[`etcd_${i}`]?.scheduler_hints).toEqual([
        { group: "${openstack_compute_servergroup_v2.etcd_group.id}" },
      ]);
      expect(res(tf, "openstack_compute_instance_v2")[`master_${i}`]?.scheduler_hints).toEqual([
        { group: "${openstack_compute_servergroup_v2.master_group.id}" },
      ]);
    }
  });

  it("gives each etcd member a protected data volume attached to it", () => {
    for (const i of [0, 1, 2]) {
      expect(text).toHaveResourceWithProperties(BlockstorageVolumeV3, {
        name: `demo-etcd-${i}-data`,
        size: 10,
        lifecycle: { prevent_destroy: true },
      });
      expect(res(tf, "openstack_compute_volume_attach_v2")[`etcd_${i}_data_attach`]).toMatchObject({
        instance_id: `\${openstack_compute_instance_v2.etcd_${i}.id}`,
        volume_id: `\${openstack_blockstorage_volume_v3.etcd_${i}_data.id}`,
      });
    }
  });

  it("puts every machine on a port with its planned fixed address, config drive on", () => {
    const ports = res(tf, "openstack_networking_port_v2");
    expect(ports.etcd_1_port?.fixed_ip).toEqual([{ ip_address: "10.0.0.17", subnet_id: "${openstack_networking_subnet_v2.subnet.id}" }]);
    expect(ports.master_2_port?.fixed_ip).toEqual([{ ip_address: "10.0.0.34", subnet_id: "${openstack_networking_subnet_v2.subnet.id}" }]);
    expect(ports.pool_general_port?.for_each).toEqual({
      "demo-general-0": "10.0.0.64",
      "demo-general-1": "10.0.0.65",
      "demo-general-2": "10.0.0.66",
    });
    for (const inst of Object.values(res(tf, "openstack_compute_instance_v2"))) {
      expect(inst.config_drive).toBe(true);
      expect(inst.lifecycle).toEqual({ ignore_changes: ["image_id", "user_data"] });
      // a stub carrying the whole config gzip-compressed, assembled by Terraform — or, for the
      // masters (configStore: swift), one naming its temporary URL and hash
      expect(String(inst.user_data)).toMatch(
        /^\{"ignition":\{"version":"3\.3\.0","config":\{"replace":\{"source":("data:;base64,\$\{base64gzip\(join\(|"\$\{openstack_objectstorage_tempurl_v1\.config_demo-master-\d_url\.url\}","verification":\{"hash":"sha512-\$\{sha512\(openstack_objectstorage_object_v1\.config_demo-master-\d\.content\)\}"\}\}\}\}\})/,
      );
    }
    expect(text).toHaveResourceWithProperties(ComputeInstanceV2, {
      name: "demo-master-0",
      flavor_name: "m1.medium",
      key_pair: "${openstack_compute_keypair_v2.keypair.name}",
    });
  });

  it("gives masters floating IPs and logs volumes only to the pool that asks", () => {
    expect(Object.keys(res(tf, "openstack_networking_floatingip_v2")).sort()).toEqual(["master_0_fip", "master_1_fip", "master_2_fip"]);
    const assoc = res(tf, "openstack_networking_floatingip_associate_v2").master_1_fip_associate;
    expect(assoc).toMatchObject({
      floating_ip: "${openstack_networking_floatingip_v2.master_1_fip.address}",
      port_id: "${openstack_networking_port_v2.master_1_port.id}",
    });
    const logs = res(tf, "openstack_blockstorage_volume_v3");
    expect(Object.keys(logs).filter((k) => k.includes("logs"))).toEqual(["pool_logging_logs"]);
    expect(logs.pool_logging_logs).toMatchObject({ size: 50, for_each: { "demo-logging-0": "10.0.1.64", "demo-logging-1": "10.0.1.65" } });
  });

  it("has the outputs and a relative local backend", () => {
    expect(Object.keys(tf.output ?? {}).sort()).toEqual([
      "admin_kubeconfig",
      "api_endpoint",
      "etcd_backup_location",
      "etcd_endpoints",
      "master_public_ips",
      "super_admin_kubeconfig",
    ]);
    expect(tf.output?.etcd_backup_location?.value).toBe("swift://demo-etcd-backups/demo/");
    expect(tf.output?.admin_kubeconfig).toMatchObject({ sensitive: true });
    expect(tf.output?.super_admin_kubeconfig).toMatchObject({ sensitive: true });
    expect(String(tf.output?.admin_kubeconfig?.value)).toContain(
      "client-key-data: ${base64encode(tls_private_key.key_admin.private_key_pem)}",
    );
    expect(String(tf.output?.super_admin_kubeconfig?.value)).toContain(
      "client-key-data: ${base64encode(tls_private_key.key_super-admin.private_key_pem)}",
    );
    expect(tf.output?.etcd_endpoints?.value).toEqual(["https://10.0.0.16:2379", "https://10.0.0.17:2379", "https://10.0.0.18:2379"]);
    expect(tf.terraform.backend).toEqual({ local: { path: "terraform.demo.tfstate" } });
    expect(text).not.toContain(process.cwd());
  });

  it("selects the image by name or by the properties `slipway image upload` sets (most recent), or by id", () => {
    const byName = synthJson(demoCluster()).data?.openstack_images_image_v2?.image;
    expect(byName).toMatchObject({ most_recent: true, name: "flatcar-stable" });
    expect(byName).not.toHaveProperty("properties");
    const props = { os_distro: "flatcar", flatcar_channel: "stable", slipway_kubernetes: "1.36.1" };
    const byProps = synthJson(demoCluster([[["image"], { properties: props }]]));
    expect(byProps.data?.openstack_images_image_v2?.image).toMatchObject({ most_recent: true, properties: props });
    expect(byProps.data?.openstack_images_image_v2?.image).not.toHaveProperty("name");
    for (const inst of Object.values(res(byProps, "openstack_compute_instance_v2")))
      expect(inst.image_id).toBe("${data.openstack_images_image_v2.image.id}");
    const byId = synthJson(demoCluster([[["image"], { id: "0f7f2b1e-7a8a-4a52-9b55-9e7a1c1b7a11" }]]));
    expect(byId.data?.openstack_images_image_v2).toBeUndefined();
    for (const inst of Object.values(res(byId, "openstack_compute_instance_v2")))
      expect(inst.image_id).toBe("0f7f2b1e-7a8a-4a52-9b55-9e7a1c1b7a11");
  });

  it("counts instances through for_each", () => {
    const counts = Object.fromEntries(countResources(tf).map((r) => [r.type, r.instances]));
    expect(counts.openstack_compute_instance_v2).toBe(3 + 3 + 5);
    expect(counts.openstack_compute_volume_attach_v2).toBe(3 + 2);
  });

  it("publishes every master address for the API and ingress when dns is set", () => {
    const d = synthJson(demoCluster([[["dns"], { zone: "example.com", zoneId: "0123456789abcdef0123456789abcdef" }]]));
    const records = Object.values(res(d, "cloudflare_dns_record"));
    expect(records.map((r) => [r.name, r.content]).sort()).toEqual(
      [0, 1, 2]
        .flatMap((i) => [
          ["api.demo.example.com", `\${openstack_networking_floatingip_v2.master_${i}_fip.address}`],
          ["*.demo.example.com", `\${openstack_networking_floatingip_v2.master_${i}_fip.address}`],
        ])
        .sort(),
    );
    expect(d.output?.api_endpoint?.value).toBe("https://api.demo.example.com:6443");
    expect(JSON.stringify(d.provider?.cloudflare)).toBe("[{}]"); // token from CLOUDFLARE_API_TOKEN only
  });

  it("puts an Octavia load balancer in front of the API when asked, and names it in the API certificates", () => {
    const o = synthJson(demoCluster([[["openstack", "apiLoadBalancer"], {}]]));
    expect(res(o, "openstack_lb_listener_v2").api_lb_listener).toMatchObject({
      protocol: "TCP",
      protocol_port: 6443,
      allowed_cidrs: ["203.0.113.0/24"],
    });
    expect(res(o, "openstack_lb_monitor_v2").api_lb_monitor).toMatchObject({ type: "HTTPS", url_path: "/readyz" });
    const members = res(o, "openstack_lb_members_v2").api_lb_members?.member as { address: string; protocol_port: number }[];
    expect(members.map((m) => `${m.address}:${m.protocol_port}`)).toEqual(["10.0.0.32:6443", "10.0.0.33:6443", "10.0.0.34:6443"]);
    expect(res(o, "openstack_networking_floatingip_associate_v2").api_lb_fip_associate).toMatchObject({
      floating_ip: "${openstack_networking_floatingip_v2.api_lb_fip.address}",
      port_id: "${openstack_lb_loadbalancer_v2.api_lb.vip_port_id}",
    });
    expect(o.output?.api_endpoint?.value).toBe("https://${openstack_networking_floatingip_v2.api_lb_fip.address}:6443");
    // master 1 issues its API server certificate for its own addresses, every master's floating
    // IP and the load balancer's
    const spec = servedConfigFile(o as never, "config_demo-master-1", "/etc/kubernetes/pki/certs.spec", {
      addresses: ["198.51.100.10", "198.51.100.11", "198.51.100.12", "198.51.100.99"],
    });
    const apiserver = specSans(spec);
    expect(apiserver.filter((s) => s.startsWith("IP:"))).toEqual([
      "IP:10.0.0.33",
      "IP:127.0.0.1",
      "IP:10.96.0.1",
      "IP:198.51.100.10",
      "IP:198.51.100.11",
      "IP:198.51.100.12",
      "IP:198.51.100.99",
    ]);
    // the load balancer reaches the masters from the node subnet
    expect(res(o, "openstack_networking_secgroup_rule_v2").rule_master_tcp_6443_from_api_lb).toMatchObject({
      remote_ip_prefix: "10.0.0.0/16",
      port_range_min: 6443,
    });
    expect(res(tf, "openstack_lb_loadbalancer_v2")).toEqual({});
  });

  it("writes s3 and http backends without credentials", () => {
    const s3 = synthJson(demoCluster([[["backend"], { type: "s3", bucket: "state", region: "eu-west-1" }]]));
    expect(s3.terraform.backend).toEqual({
      s3: { bucket: "state", key: "slipway/demo.tfstate", region: "eu-west-1", encrypt: true, use_lockfile: true },
    });
    const http = synthJson(demoCluster([[["backend"], { type: "http", address: "https://state.example.com/demo" }]]));
    expect(http.terraform.backend).toEqual({ http: { address: "https://state.example.com/demo" } });
  });
});

describe("determinism and stability", () => {
  it("two syntheses of the same file are byte-identical", () => {
    expect(synthText(demoCluster())).toBe(synthText(demoCluster()));
  });

  it("changing one pool's count changes only that pool's resources", () => {
    const before = synthJson(demoCluster());
    const after = synthJson(demoCluster([[["workers", 0, "count"], 7]]));
    const changed: string[] = [];
    for (const type of new Set([...Object.keys(before.resource), ...Object.keys(after.resource)]))
      for (const name of new Set([...Object.keys(res(before, type)), ...Object.keys(res(after, type))]))
        if (JSON.stringify(res(before, type)[name]) !== JSON.stringify(res(after, type)[name])) changed.push(`${type}.${name}`);
    expect(changed).toEqual(["openstack_networking_port_v2.pool_general_port"]);
    expect(JSON.stringify(before.output)).toBe(JSON.stringify(after.output));
    expect(JSON.stringify(before.data)).toBe(JSON.stringify(after.data));
  });
});

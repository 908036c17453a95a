// The AWS stack from the same kind of cluster file: VPC across zones, EBS-backed etcd, masters
// with Elastic IPs, worker Auto Scaling groups, IMDSv2 everywhere, encryption everywhere,
// least-privilege instance roles, user_data within EC2's 16 KiB (large configs via S3).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { DataAwsAmi } from "@cdktf/provider-aws/lib/data-aws-ami";
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { INTERNAL_PORTS, PORTS } from "../clusters/model/ports";
import { ClusterFileError } from "../clusters/model/load";
import { localPki } from "../bootstrap/pki/local";
import { renderNode } from "../bootstrap/render";
import { buildApp } from "../stacks/app";
import { allowed, type Statement } from "./helpers/iam";
import { awsCluster, resourcesOf, synthJson, synthText, tmp, type TfJson } from "./helpers/clusters";
import { evalTemplate } from "./helpers/hcl-eval";
import { ignitionValidate } from "./helpers/ignition";
import { servedConfigFile, specSans, tfAddonSecrets, tfResolver } from "./helpers/tf-values";

const res = resourcesOf;

describe("AWS stack (clusters/demo-aws.yaml)", () => {
  const cluster = awsCluster();
  const text = synthText(cluster);
  const tf = JSON.parse(text) as TfJson;

  it("builds a VPC with a public and a private subnet in each of three zones", () => {
    expect(text).toHaveResourceWithProperties(Vpc, { cidr_block: "10.0.0.0/16", enable_dns_hostnames: true });
    const subnets = Object.entries(res(tf, "aws_subnet")).map(([id, s]) => [
      id,
      s.cidr_block,
      s.availability_zone,
      s.map_public_ip_on_launch,
    ]);
    expect(subnets.sort()).toEqual(
      [
        ["subnet_private_0", "10.0.128.0/19", "${element(data.aws_availability_zones.zones.names, 0)}", false],
        ["subnet_private_1", "10.0.160.0/19", "${element(data.aws_availability_zones.zones.names, 1)}", false],
        ["subnet_private_2", "10.0.192.0/19", "${element(data.aws_availability_zones.zones.names, 2)}", false],
        ["subnet_public_0", "10.0.0.0/19", "${element(data.aws_availability_zones.zones.names, 0)}", true],
        ["subnet_public_1", "10.0.32.0/19", "${element(data.aws_availability_zones.zones.names, 1)}", true],
        ["subnet_public_2", "10.0.64.0/19", "${element(data.aws_availability_zones.zones.names, 2)}", true],
      ].sort(),
    );
    // a NAT gateway per zone, each private subnet routed through its own zone's
    expect(Object.keys(res(tf, "aws_nat_gateway")).sort()).toEqual(["nat_0", "nat_1", "nat_2"]);
    expect(res(tf, "aws_route_table").private_routes_1?.route).toEqual([
      expect.objectContaining({ cidr_block: "0.0.0.0/0", nat_gateway_id: "${aws_nat_gateway.nat_1.id}" }),
    ]);
    expect(res(tf, "aws_route_table").public_routes?.route).toEqual([
      expect.objectContaining({ gateway_id: "${aws_internet_gateway.internet_gateway.id}" }),
    ]);
    // every subnet keeps its fixed addresses (the first /26) out of automatic assignment
    const reservations = Object.values(res(tf, "aws_ec2_subnet_cidr_reservation")).map((r) => [r.cidr_block, r.reservation_type]);
    expect(reservations.sort()).toEqual(
      ["10.0.0.0/26", "10.0.32.0/26", "10.0.64.0/26", "10.0.128.0/26", "10.0.160.0/26", "10.0.192.0/26"].map((c) => [c, "explicit"]).sort(),
    );
  });

  it("reaches S3 (configs, etcd backups) through a gateway endpoint in every route table, not through the NAT gateways", () => {
    expect(res(tf, "aws_vpc_endpoint").s3_endpoint).toMatchObject({
      vpc_id: "${aws_vpc.vpc.id}",
      service_name: "com.amazonaws.eu-central-1.s3",
      vpc_endpoint_type: "Gateway",
    });
    const tables = Object.keys(res(tf, "aws_route_table")).map((t) => `\${aws_route_table.${t}.id}`);
    expect(tables.length).toBe(4);
    expect([...((res(tf, "aws_vpc_endpoint").s3_endpoint?.route_table_ids ?? []) as string[])].sort()).toEqual(tables.sort());
  });

  it("spreads etcd members (private subnets) and masters (public, Elastic IPs) over the zones at their planned addresses", () => {
    const inst = res(tf, "aws_instance");
    expect([0, 1, 2].map((i) => [inst[`etcd_${i}`]?.private_ip, inst[`etcd_${i}`]?.subnet_id])).toEqual([
      ["10.0.128.16", "${aws_subnet.subnet_private_0.id}"],
      ["10.0.160.16", "${aws_subnet.subnet_private_1.id}"],
      ["10.0.192.16", "${aws_subnet.subnet_private_2.id}"],
    ]);
    expect([0, 1, 2].map((i) => [inst[`master_${i}`]?.private_ip, inst[`master_${i}`]?.subnet_id])).toEqual([
      ["10.0.0.32", "${aws_subnet.subnet_public_0.id}"],
      ["10.0.32.32", "${aws_subnet.subnet_public_1.id}"],
      ["10.0.64.32", "${aws_subnet.subnet_public_2.id}"],
    ]);
    expect(res(tf, "aws_eip_association").master_2_ip_association).toMatchObject({
      allocation_id: "${aws_eip.master_2_ip.id}",
      instance_id: "${aws_instance.master_2.id}",
    });
    expect(tf.output?.master_public_ips?.value).toEqual([0, 1, 2].map((i) => `\${aws_eip.master_${i}_ip.public_ip}`));
  });

  it("keeps etcd data on encrypted gp3 volumes in the member's zone, attached and protected from destroy", () => {
    for (const i of [0, 1, 2]) {
      expect(text).toHaveResourceWithProperties(EbsVolume, {
        availability_zone: `\${element(data.aws_availability_zones.zones.names, ${i})}`,
        type: "gp3",
        encrypted: true,
        size: 10,
        lifecycle: { prevent_destroy: true },
      });
      expect(res(tf, "aws_volume_attachment")[`etcd_${i}_data_attach`]).toMatchObject({
        instance_id: `\${aws_instance.etcd_${i}.id}`,
        volume_id: `\${aws_ebs_volume.etcd_${i}_data.id}`,
      });
    }
  });

  it("runs worker pools as Auto Scaling groups over the worker subnets, rolling by instance refresh", () => {
    expect(text).toHaveResourceWithProperties(AutoscalingGroup, {
      name: "demo-aws-general",
      min_size: 3,
      max_size: 3,
      desired_capacity: 3,
      vpc_zone_identifier: ["${aws_subnet.subnet_private_0.id}", "${aws_subnet.subnet_private_1.id}", "${aws_subnet.subnet_private_2.id}"],
      instance_refresh: { strategy: "Rolling", preferences: { min_healthy_percentage: 90, instance_warmup: "120" } },
    });
    const lt = res(tf, "aws_launch_template").pool_general_template;
    expect(lt).toMatchObject({
      instance_type: "t3.large",
      image_id: "${data.aws_ami.flatcar.id}",
      lifecycle: { ignore_changes: ["image_id"] },
    });
  });

  it("looks the AMI up from Flatcar's account by channel and architecture; machines ignore later AMI changes", () => {
    expect(text).toHaveDataSourceWithProperties(DataAwsAmi, {
      most_recent: true,
      owners: ["075585003325"],
      filter: [
        { name: "name", values: ["Flatcar-stable-*"] },
        { name: "architecture", values: ["x86_64"] },
        { name: "virtualization-type", values: ["hvm"] },
      ],
    });
    for (const inst of Object.values(res(tf, "aws_instance"))) expect(inst.lifecycle).toEqual({ ignore_changes: ["ami", "user_data"] });
    const fixed = synthJson(awsCluster([[["image", "ami"], "ami-0123456789abcdef0"]]));
    expect(fixed.data?.aws_ami).toBeUndefined();
    expect(res(fixed, "aws_instance").master_0?.ami).toBe("ami-0123456789abcdef0");
  });

  it("requires IMDSv2 with a hop limit of 1 on every instance and launch template", () => {
    const all = [...Object.values(res(tf, "aws_instance")), ...Object.values(res(tf, "aws_launch_template"))];
    expect(all.length).toBe(6 + 2);
    for (const r of all)
      expect(r.metadata_options).toEqual({ http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1 });
  });

  it("encrypts every volume and both buckets (configs, etcd backups), which are private and reached over TLS only", () => {
    for (const v of Object.values(res(tf, "aws_ebs_volume"))) expect(v.encrypted).toBe(true);
    for (const i of Object.values(res(tf, "aws_instance")))
      expect(i.root_block_device).toMatchObject({ encrypted: true, volume_type: "gp3" });
    const mappings = Object.values(res(tf, "aws_launch_template")).flatMap(
      (t) => t.block_device_mappings as { ebs: { encrypted: string } }[],
    );
    expect(mappings.length).toBe(3); // two roots and one logs volume
    for (const m of mappings) expect(m.ebs.encrypted).toBe("true");
    const buckets = Object.keys(res(tf, "aws_s3_bucket")).sort();
    expect(buckets).toEqual(["configs", "etcd_backups"]);
    const of = (type: string) =>
      Object.values(res(tf, type))
        .map((r) => String(r.bucket))
        .sort();
    const ids = buckets.map((b) => `\${aws_s3_bucket.${b}.id}`);
    for (const type of [
      "aws_s3_bucket_server_side_encryption_configuration",
      "aws_s3_bucket_public_access_block",
      "aws_s3_bucket_ownership_controls",
      "aws_s3_bucket_policy",
    ])
      expect(of(type), type).toEqual(ids);
    for (const sse of Object.values(res(tf, "aws_s3_bucket_server_side_encryption_configuration")))
      expect(JSON.stringify(sse)).toContain('"sse_algorithm":"AES256"');
    for (const block of Object.values(res(tf, "aws_s3_bucket_public_access_block")))
      expect(block).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
    // a request without TLS is refused by each bucket's policy, whoever makes it
    for (const [id, p] of Object.entries(res(tf, "aws_s3_bucket_policy"))) {
      const [s] = JSON.parse(String(p.policy)).Statement;
      const bucket = id.replace(/_tls_only$/, "");
      expect(s).toEqual({
        Sid: "TlsOnly",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`\${aws_s3_bucket.${bucket}.arn}`, `\${aws_s3_bucket.${bucket}.arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      });
    }
    for (const o of Object.values(res(tf, "aws_s3_object"))) expect(o.server_side_encryption).toBe("AES256");
  });

  it("gives each role least privilege: workers nothing, etcd only the upload of its backups, the cloud controller for masters, EBS CSI to the driver's own user, and only its own configs", () => {
    const policies = res(tf, "aws_iam_role_policy");
    expect(Object.keys(policies).sort()).toEqual([
      "role_etcd_backups",
      "role_etcd_configs",
      "role_master_configs",
      "role_master_policy",
      "role_pool-arm_configs",
      "role_pool-general_configs",
    ]);
    expect(res(tf, "aws_iam_user").ebs_csi).toMatchObject({ name: "demo-aws-ebs-csi" });
    expect(res(tf, "aws_iam_access_key").ebs_csi_key).toMatchObject({ user: "${aws_iam_user.ebs_csi.name}" });
    const doc = (id: string) =>
      JSON.parse(String(policies[id]?.policy)) as { Statement: { Action: string[]; Resource: unknown; Condition?: unknown }[] };
    expect(doc("role_master_policy").Statement[0]?.Action).toContain("elasticloadbalancing:RegisterTargets");
    const csi = (JSON.parse(String(res(tf, "aws_iam_user_policy").ebs_csi_policy?.policy)) as ReturnType<typeof doc>).Statement;
    expect(csi.find((s) => s.Action.includes("ec2:DeleteVolume"))?.Condition).toEqual({
      StringLike: { "ec2:ResourceTag/ebs.csi.aws.com/cluster": "true" },
    });
    const reads = doc("role_master_configs").Statement;
    expect(reads[0]).toEqual({
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [0, 1, 2].map((i) => `\${aws_s3_object.config_demo-aws-master-${i}.arn}`),
    });
    expect(JSON.stringify(doc("role_master_policy"))).not.toContain("s3:");
    // a pool's machines read their pool's config, not another pool's (it holds that pool's join token)
    expect(doc("role_pool-general_configs").Statement[0]?.Resource).toEqual(["${aws_s3_object.config_pool-general.arn}"]);
    expect(doc("role_pool-arm_configs").Statement[0]?.Resource).toEqual(["${aws_s3_object.config_pool-arm.arn}"]);
    expect(doc("role_etcd_configs").Statement[0]?.Resource).toEqual(
      [0, 1, 2].map((i) => `\${aws_s3_object.config_demo-aws-etcd-${i}.arn}`),
    );
    const templates = res(tf, "aws_launch_template");
    expect(templates.pool_general_template?.iam_instance_profile).toEqual({
      name: "${aws_iam_instance_profile.profile_pool-general.name}",
    });
  });

  it("keeps etcd backups in a versioned bucket whose lifecycle expires each tier; the etcd role may only put objects under the cluster's prefix", () => {
    expect(res(tf, "aws_s3_bucket").etcd_backups).toMatchObject({
      bucket_prefix: "demo-aws-etcd-backups-",
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
    expect(res(tf, "aws_s3_bucket_versioning").etcd_backups_versions).toMatchObject({
      bucket: "${aws_s3_bucket.etcd_backups.id}",
      versioning_configuration: { status: "Enabled" },
    });
    type Rule = { id: string; filter: { prefix: string }[]; expiration: { days?: number }[]; noncurrent_version_expiration?: unknown[] };
    const rules = (c: typeof cluster) =>
      (res(JSON.parse(synthText(c)) as TfJson, "aws_s3_bucket_lifecycle_configuration").etcd_backups_retention?.rule ?? []) as Rule[];
    const days = (r: Rule[]) =>
      Object.fromEntries(r.filter((x) => x.expiration[0]?.days).map((x) => [x.filter[0]?.prefix, x.expiration[0]?.days]));
    // the file's retention, in S3's whole days (recent hours rounded up)
    expect(days(rules(cluster))).toEqual({ "demo-aws/recent/": 1, "demo-aws/hourly/": 7, "demo-aws/daily/": 90 });
    const longer = awsCluster([[["etcd", "backup"], { keep: { recentHours: 30, hourlyDays: 14, dailyDays: 400 } }]]);
    expect(days(rules(longer))).toEqual({ "demo-aws/recent/": 2, "demo-aws/hourly/": 14, "demo-aws/daily/": 400 });
    expect(tf.output?.etcd_backup_location?.value).toBe("s3://${aws_s3_bucket.etcd_backups.bucket}/demo-aws/");
    // an object overwritten keeps its old version for 30 days
    expect(rules(cluster).find((r) => r.id.startsWith("old-versions"))?.noncurrent_version_expiration).toEqual([{ noncurrent_days: 30 }]);

    const policies = res(tf, "aws_iam_role_policy");
    const statements = (id: string) => (policies[id] ? JSON.parse(String(policies[id].policy)).Statement : []) as Statement[];
    const arn = "arn:aws:s3:::demo-aws-etcd-backups-20261202";
    // the policy names the bucket by reference; IAM sees its ARN
    const etcd = statements("role_etcd_backups").map((st) => ({
      ...st,
      Resource: ([] as string[]).concat(st.Resource).map((r) => r.replace("${aws_s3_bucket.etcd_backups.arn}", arn)),
    }));
    const may = (action: string, key: string) => allowed(etcd, { action, resources: [{ arn: key ? `${arn}/${key}` : arn }] });
    expect(may("s3:PutObject", "demo-aws/recent/2026-12-02T000000Z-r7.db.gz.cms")).toBe(true);
    expect(may("s3:PutObject", "demo-aws/latest.json")).toBe(true);
    for (const [action, key] of [
      ["s3:GetObject", "demo-aws/latest.json"],
      ["s3:DeleteObject", "demo-aws/daily/x"],
      ["s3:DeleteObjectVersion", "demo-aws/daily/x"],
      ["s3:PutLifecycleConfiguration", ""],
      ["s3:PutBucketVersioning", ""],
      ["s3:ListBucket", ""],
      ["s3:PutObject", "another-cluster/recent/x"],
    ] as const)
      expect(may(action, key), `${action} ${key}`).toBe(false);
    // nobody else may write there
    for (const id of Object.keys(policies).filter((k) => k !== "role_etcd_backups"))
      expect(policies[id]?.policy, id).not.toContain("aws_s3_bucket.etcd_backups");
    // the members learn the bucket's URL and region from state, checked to fit their EnvironmentFile
    const served = String(res(tf, "aws_s3_object")["config_demo-aws-etcd-0"]?.content);
    expect(served).toContain(
      'S3_URL%3D", replace(urlencode(regex("^[A-Za-z0-9_.:/@%+=,~-]+$", format("https://%s", aws_s3_bucket.etcd_backups.bucket_regional_domain_name)))',
    );
    expect(served).toContain('S3_REGION%3D", replace(urlencode(regex("^[A-Za-z0-9_.:/@%+=,~-]+$", "eu-central-1"))');
  });

  it("shortens the cluster name in bucket prefixes to the 37 characters the AWS provider accepts", () => {
    const name = "a-very-long-cluster-name-of-32-ch";
    expect(name.length).toBe(33);
    const c = awsCluster([[["name"], name.slice(0, 32)]]);
    const prefixes = Object.values(res(JSON.parse(synthText(c)) as TfJson, "aws_s3_bucket")).map((b) => String(b.bucket_prefix));
    expect(prefixes).toHaveLength(2);
    for (const p of prefixes) {
      expect(p.length).toBeLessThanOrEqual(37);
      expect(p).toMatch(/^a-very-long-cluster-na[a-z0-9-]*[a-z0-9]-(ignition|etcd-backups)-$/);
      expect(p).not.toMatch(/--/);
    }
  });

  it("lets nothing touch an etcd member's data volume: the EBS CSI driver's rights end at its own tag, workers have none", () => {
    const policies = res(tf, "aws_iam_role_policy");
    const statements = (id: string) => (policies[id] ? JSON.parse(String(policies[id].policy)).Statement : []) as Statement[];
    const driver = JSON.parse(String(res(tf, "aws_iam_user_policy").ebs_csi_policy?.policy)).Statement as Statement[];
    const roles = {
      etcd: statements("role_etcd_backups"),
      master: statements("role_master_policy"),
      worker: statements("role_pool-general_policy"),
      driver,
    };
    const volumes = Object.values(res(tf, "aws_ebs_volume"));
    expect(volumes.length).toBe(3);
    const etcdVolume = { arn: "arn:aws:ec2:eu-west-1:111122223333:volume/vol-0etcd", tags: volumes[0]?.tags as Record<string, string> };
    const csiVolume = { arn: "arn:aws:ec2:eu-west-1:111122223333:volume/vol-0pvc", tags: { "ebs.csi.aws.com/cluster": "true" } };
    const instance = { arn: "arn:aws:ec2:eu-west-1:111122223333:instance/i-0worker" };
    for (const [role, s] of Object.entries(roles))
      for (const action of ["ec2:DetachVolume", "ec2:AttachVolume", "ec2:DeleteVolume", "ec2:ModifyVolume", "ec2:CreateSnapshot"])
        expect(allowed(s, { action, resources: [etcdVolume, instance] }), `${role} ${action} on the etcd volume`).toBe(false);
    // nor re-tag it to make it the driver's
    for (const [role, s] of Object.entries(roles))
      expect(allowed(s, { action: "ec2:CreateTags", resources: [etcdVolume], context: {} }), role).toBe(role === "master");
    // workers themselves may do nothing with volumes
    expect(allowed(roles.worker, { action: "ec2:AttachVolume", resources: [csiVolume, instance] })).toBe(false);
    // what the driver does need, it may
    const w = roles.driver;
    expect(allowed(w, { action: "ec2:AttachVolume", resources: [csiVolume, instance] })).toBe(true);
    expect(allowed(w, { action: "ec2:DeleteVolume", resources: [csiVolume] })).toBe(true);
    expect(
      allowed(w, {
        action: "ec2:CreateVolume",
        resources: [{ arn: "arn:aws:ec2:eu-west-1:111122223333:volume/*" }],
        context: { "aws:RequestTag/ebs.csi.aws.com/cluster": "true" },
      }),
    ).toBe(true);
    expect(allowed(w, { action: "ec2:CreateVolume", resources: [{ arn: "arn:aws:ec2:eu-west-1:111122223333:volume/*" }] })).toBe(false);
    expect(allowed(w, { action: "ec2:CreateTags", resources: [csiVolume], context: { "ec2:CreateAction": "CreateVolume" } })).toBe(true);
  });

  it("keeps every role's user_data within half of EC2's 16,384 bytes: larger configs are served from S3 and verified by SHA-512", () => {
    const { budget } = buildApp(cluster, "/tmp/unused-aws");
    expect(budget.problems()).toEqual([]);
    for (const [label, bytes] of budget.sizes) expect(bytes, label).toBeLessThanOrEqual(16384 / 2);
    // every role's full config is over half the limit: all are pointers
    expect([...budget.servedFrom.keys()].sort()).toEqual(["etcd", "master", "worker pool arm", "worker pool general"]);
    const master = res(tf, "aws_instance").master_1?.user_data as string;
    expect(JSON.parse(master.replace(/\$\{[^}]+\}/g, "X"))).toMatchObject({
      ignition: { version: "3.3.0", config: { replace: { source: "s3://X/demo-aws-master-1.ign" } } },
    });
    expect(master).toContain('"hash":"sha512-${sha512(aws_s3_object.config_demo-aws-master-1.content)}"');
    expect(res(tf, "aws_instance").etcd_0?.user_data).toContain('"source":"s3://${aws_s3_bucket.configs.bucket}/demo-aws-etcd-0.ign"');
  });

  it("boots the same configs render writes: the master's S3 object, an etcd member, a worker of a pool", async () => {
    const t = tmp("slipway-aws-eval-");
    try {
      const pki = await localPki(cluster, t.dir);
      const PUBLIC = ["198.51.100.10", "198.51.100.11", "198.51.100.12"];
      const resolve = (hostname: string) => {
        const base = tfResolver(pki, hostname, undefined, undefined, PUBLIC);
        return (ref: string) => (/^aws_ebs_volume\.etcd_\d+_data\.id$/.test(ref) ? "/dev/vdb" : base(ref));
      };
      const master = evalTemplate(String(res(tf, "aws_s3_object")["config_demo-aws-master-1"]?.content), resolve("demo-aws-master-1"));
      expect(master).toBe(
        (
          await renderNode(cluster, {
            target: { role: "master", index: 1 },
            pkiDir: t.dir,
            publicAddresses: PUBLIC,
            secrets: tfAddonSecrets(cluster),
          })
        ).config,
      );
      const etcd = evalTemplate(String(res(tf, "aws_s3_object")["config_demo-aws-etcd-2"]?.content), resolve("demo-aws-etcd-2"));
      const etcdRendered = await renderNode(cluster, {
        target: { role: "etcd", index: 2 },
        pkiDir: t.dir,
        secrets: tfAddonSecrets(cluster),
      });
      expect(etcd).toBe(etcdRendered.config);
      // the member backs up to S3 (the store's part of the script only), at the bucket Terraform made
      const env = JSON.parse(etcd).storage.files.find((f: { path: string }) => f.path === "/etc/slipway/etcd-backup.env");
      expect(decodeURIComponent(env.contents.source.slice(6))).toContain("BACKUP_STORE=s3\n");
      expect(decodeURIComponent(env.contents.source.slice(6))).toContain(
        "S3_URL=https://demo-aws-etcd-backups-20261202.s3.eu-central-1.amazonaws.com\nS3_REGION=eu-central-1\n",
      );
      const backup = decodeURIComponent(
        JSON.parse(etcd)
          .storage.files.find((f: { path: string }) => f.path === "/opt/slipway/bin/etcd-backup")
          .contents.source.slice(6),
      );
      expect(backup).toContain("--aws-sigv4");
      expect(backup).not.toContain("X-Auth-Token");
      // an Auto Scaling group's object has no per-machine values
      const worker = evalTemplate(String(res(tf, "aws_s3_object")["config_pool-arm"]?.content), (r) => {
        if (r === "each.key") throw new Error("an Auto Scaling group has no per-machine values");
        return resolve("unused")(r);
      });
      const rendered = await renderNode(cluster, { target: { role: "worker", pool: "arm" }, pkiDir: t.dir });
      expect(worker).toBe(rendered.config);
      expect(ignitionValidate(worker)).toEqual({ ok: true, output: "" });
      // the cloud names the machines of a group: no /etc/hostname; the logs volume is found by device
      const files = (JSON.parse(worker) as { storage: { files: { path: string; contents: { source: string } }[] } }).storage.files;
      expect(files.some((f) => f.path === "/etc/hostname")).toBe(false);
      expect(decodeURIComponent(files.find((f) => f.path === "/etc/slipway/logs-volume.env")?.contents.source.slice(6) ?? "")).toBe(
        "LOGS_VOLUME=/dev/xvdb|/dev/nvme1n1\n",
      );
    } finally {
      t.cleanup();
    }
  });

  it("changing one pool's size changes only its Auto Scaling group", () => {
    const before = synthJson(cluster);
    const after = synthJson(awsCluster([[["workers", 0, "count"], 7]]));
    const changed: string[] = [];
    for (const type of new Set([...Object.keys(before.resource), ...Object.keys(after.resource)]))
      for (const name of new Set([...Object.keys(res(before, type)), ...Object.keys(res(after, type))]))
        if (JSON.stringify(res(before, type)[name]) !== JSON.stringify(res(after, type)[name])) changed.push(`${type}.${name}`);
    expect(changed).toEqual(["aws_autoscaling_group.pool_general"]);
  });

  it("is deterministic", () => {
    expect(synthText(awsCluster())).toBe(text);
  });

  it("with explicit zones, public subnets only, and a network load balancer", () => {
    const c = awsCluster([
      [
        ["aws", "zones"],
        ["eu-central-1b", "eu-central-1c"],
      ],
      [["aws", "privateSubnets"], false],
      [["aws", "apiLoadBalancer"], true],
      [["dns"], { zone: "example.com", zoneId: "0123456789abcdef0123456789abcdef" }],
    ]);
    const o = synthJson(c);
    const subnets = Object.values(res(o, "aws_subnet")).map((s) => [s.cidr_block, s.availability_zone]);
    expect(subnets).toEqual([
      ["10.0.0.0/19", "eu-central-1b"],
      ["10.0.32.0/19", "eu-central-1c"],
    ]);
    expect(o.data?.aws_availability_zones).toBeUndefined();
    expect(res(o, "aws_nat_gateway")).toEqual({});
    // etcd members and workers in the public subnets (with public addresses for egress)
    expect(res(o, "aws_instance").etcd_2).toMatchObject({ private_ip: "10.0.0.17", subnet_id: "${aws_subnet.subnet_public_0.id}" });
    expect(res(o, "aws_lb").api_lb).toMatchObject({ load_balancer_type: "network", internal: false });
    expect(res(o, "aws_lb_target_group").api_lb_masters).toMatchObject({
      port: 6443,
      protocol: "TCP",
      health_check: expect.objectContaining({ path: "/readyz", protocol: "HTTPS" }),
    });
    expect(Object.keys(res(o, "aws_lb_target_group_attachment")).sort()).toEqual([
      "master_0_api_target",
      "master_1_api_target",
      "master_2_api_target",
    ]);
    // the certificates name the load balancer; DNS points the API name at it
    const spec = servedConfigFile(o as never, "config_demo-aws-master-0", "/etc/kubernetes/pki/certs.spec", {
      addresses: ["198.51.100.10", "198.51.100.11", "198.51.100.12"],
      lbName: "api-lb-0123.elb.eu-central-1.amazonaws.com",
    });
    const sans = specSans(spec);
    expect(sans.at(-1)).toBe("DNS:api-lb-0123.elb.eu-central-1.amazonaws.com");
    expect(sans).toContain("IP:198.51.100.12");
    expect(res(o, "cloudflare_dns_record").dns_api_0).toMatchObject({
      type: "CNAME",
      content: "${aws_lb.api_lb.dns_name}",
      name: "api.demo-aws.example.com",
    });
    expect(o.output?.api_endpoint?.value).toBe("https://api.demo-aws.example.com:6443");
  });
});

describe("AWS security groups", () => {
  const adminCidrs = fc.uniqueArray(fc.constantFrom("0.0.0.0/0", "::/0", "192.0.2.0/24", "2001:db8::/32", "10.10.0.0/16"), {
    minLength: 1,
    maxLength: 4,
  });
  it("never open etcd, kubelet or VXLAN to a CIDR; SSH and the API only from the admin networks", () => {
    fc.assert(
      fc.property(adminCidrs, (cidrs) => {
        const tf = synthJson(awsCluster([[["adminCidrs"], cidrs]]));
        const rules = Object.values(res(tf, "aws_vpc_security_group_ingress_rule"));
        for (const r of rules) {
          const covers = (p: number) => (r.from_port as number) <= p && p <= (r.to_port as number);
          const fromCidr = r.cidr_ipv4 !== undefined || r.cidr_ipv6 !== undefined;
          if (fromCidr) for (const p of INTERNAL_PORTS) expect(covers(p), JSON.stringify(r)).toBe(false);
          if (INTERNAL_PORTS.some(covers))
            expect(String(r.referenced_security_group_id)).toMatch(/^\$\{aws_security_group\.secgroup_(cluster|etcd)\.id\}$/);
        }
        const from = (port: number) =>
          rules
            .filter((r) => r.from_port === port && (r.cidr_ipv4 || r.cidr_ipv6))
            .map((r) => String(r.cidr_ipv4 ?? r.cidr_ipv6))
            .sort();
        expect(from(PORTS.ssh)).toEqual([...cidrs].sort());
        expect(from(PORTS.apiserver)).toEqual([...cidrs].sort());
      }),
      { numRuns: 6 },
    );
  });
});

describe("AWS cluster file mistakes", () => {
  const problem = (changes: [path: (string | number)[], value: unknown][]) => {
    try {
      awsCluster(changes);
    } catch (e) {
      if (e instanceof ClusterFileError) return `${e.problems[0]?.path}: ${e.problems[0]?.message}`;
      throw e;
    }
    return "accepted";
  };
  it("reports each one at its field", () => {
    expect(problem([[["aws", "region"], "eu-frankfurt"]])).toBe("aws.region: must be an AWS region such as eu-central-1");
    expect(problem([[["aws", "zones"], 0]])).toBe("aws.zones: needs at least one availability zone");
    expect(problem([[["aws", "zones"], []]])).toBe("aws.zones: needs at least one availability zone");
    expect(problem([[["aws", "zones"], ["us-east-1a"]]])).toBe("aws.zones[0]: us-east-1a is not a zone of region eu-central-1");
    expect(problem([[["workers", 0, "instanceType"], undefined]])).toBe("workers[0].instanceType: is required (text)");
    expect(problem([[["workers", 0, "instanceType"], "t4g.large"]])).toBe(
      "workers[0].instanceType: t4g.large is a Graviton (arm64) type, but image.arch is amd64; set image.arch: arm64",
    );
    expect(problem([[["workers", 0, "flavor"], "m1.large"]])).toBe(
      'workers[0].flavor: unknown field "flavor": it belongs to cloud: openstack, and this file says cloud: aws',
    );
    expect(problem([[["network", "nodes"], "10.0.0.0/22"]])).toMatch(/^network\.nodes: 10\.0\.0\.0\/22 is too small on AWS/);
  });
});

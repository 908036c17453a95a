// What Terraform would fill in for the references in a node's user_data, taken from a local PKI:
// certificates, keys, the join seed and rotation time, volume ids and each.key. Anything else is an
// error.
import type { AddonSecret } from "../../bootstrap/node";
import type { Cluster } from "../../clusters/model/load";
import { openstackCloudConf } from "../../stacks/openstack/cloud-addons";
import type { LocalPki } from "../../bootstrap/pki/local";
import { evalTemplate } from "./hcl-eval";
import { decodeDataUrl } from "./ignition";

/** Values the tests give what Terraform fills into the addons' Secrets. */
export const TF_ADDON_VALUES: Readonly<Record<string, string>> = {
  "var.cloudflare_dns01_token": "test-cloudflare-token-0123456789",
  "openstack_identity_application_credential_v3.cloud_controllers.id": "0123456789abcdef0123456789abcdef",
  "openstack_identity_application_credential_v3.cloud_controllers.secret": 'se"cr\\et\nwith <tricky> & quotes',
  "local.keystone_url": "https://keystone.example.com:5000/v3",
  "data.openstack_identity_auth_scope_v3.auth_scope.region": "RegionOne",
  "aws_iam_access_key.ebs_csi_key.id": "AKIAIOSFODNN7EXAMPLE",
  "aws_iam_access_key.ebs_csi_key.secret": 'wJalrXUtnFEMI/K7MDENG/bPxRfi"CYEXAMPLEKEY',
  // the etcd members' backup credential: Keystone's id (hex) and secret (base64url)
  "openstack_identity_application_credential_v3.etcd_backups.id": "fedcba9876543210fedcba9876543210",
  "openstack_identity_application_credential_v3.etcd_backups.secret": "Xy-0_bAckUp-SeCrEt_9zZ",
  // AWS: the backup bucket's regional name (its URL is https://<that>)
  "aws_s3_bucket.etcd_backups.bucket_regional_domain_name": "demo-aws-etcd-backups-20261202.s3.eu-central-1.amazonaws.com",
};

/** The addon credentials as Terraform fills them in with TF_ADDON_VALUES, for `renderNode`'s `secrets`. */
export function tfAddonSecrets(cluster: Cluster): Partial<Record<AddonSecret, string>> {
  const v = (ref: string) => TF_ADDON_VALUES[ref] as string;
  const config = cluster.config;
  return {
    "cloudflare-dns01-token": v("var.cloudflare_dns01_token"),
    "aws-ebs-csi-key-id": v("aws_iam_access_key.ebs_csi_key.id"),
    "aws-ebs-csi-secret-key": v("aws_iam_access_key.ebs_csi_key.secret"),
    "etcd-backup-credential-id": v("openstack_identity_application_credential_v3.etcd_backups.id"),
    "etcd-backup-credential-secret": v("openstack_identity_application_credential_v3.etcd_backups.secret"),
    "etcd-backup-auth-url": v("local.keystone_url"),
    "etcd-backup-region":
      config.cloud === "aws" ? config.aws.region : config.openstack.region || v("data.openstack_identity_auth_scope_v3.auth_scope.region"),
    "etcd-backup-s3-url": `https://${v("aws_s3_bucket.etcd_backups.bucket_regional_domain_name")}`,
    "openstack-cloud-config": openstackCloudConf({
      authUrl: v("local.keystone_url"),
      region: (config.cloud === "openstack" && config.openstack.region) || v("data.openstack_identity_auth_scope_v3.auth_scope.region"),
      credentialId: v("openstack_identity_application_credential_v3.cloud_controllers.id"),
      credentialSecret: v("openstack_identity_application_credential_v3.cloud_controllers.secret"),
    }),
  };
}

export function tfResolver(
  pki: LocalPki,
  hostname: string,
  volumes = { data: "/dev/vdb", logs: "/dev/vdc" },
  /** when time_rotating last moved (render's `now`) */
  rotated: Date = new Date(),
  /** the API's public addresses, as render's publicAddresses: the masters' first, then a load balancer's */
  apiAddresses: string[] = [],
) {
  return (ref: string): string => {
    const get = (name: string) => {
      const c = pki.certs.get(name);
      if (!c) throw new Error(`no ${name} in the local PKI`);
      return c;
    };
    let m = /^tls_(?:locally_signed_cert|self_signed_cert)\.cert_([a-z0-9-]+)\.cert_pem$/.exec(ref);
    if (m) return get(m[1] as string).cert ?? "";
    m = /^tls_private_key\.key_([a-z0-9-]+)\.private_key_pem$/.exec(ref);
    if (m) return get(m[1] as string).key;
    m = /^tls_private_key\.key_([a-z0-9-]+)\.public_key_pem$/.exec(ref);
    if (m) return get(m[1] as string).publicKey;
    if (ref === "random_password.join_seed.result") return pki.joinSeed;
    if (ref === "random_password.etcd_seed.result") return pki.etcdSeed;
    if (ref === "random_bytes.secrets_key.base64") return pki.encryptionKey;
    // what an operator gives in TF_VAR_cloudflare_dns01_token, and what the clouds make for the addons
    // (with the characters that must stay inside their JSON string: quotes, backslashes, newlines)
    const cloudMade = TF_ADDON_VALUES[ref];
    if (cloudMade !== undefined) return cloudMade;
    if (ref === "time_rotating.join_period.unix") return String(Math.floor(rotated.getTime() / 1000));
    if (/^(openstack_blockstorage_volume_v3|aws_ebs_volume)\.etcd_\d+_data\.id$/.test(ref)) return volumes.data;
    if (/^openstack_blockstorage_volume_v3\.pool_[a-z0-9-]+_logs\[each\.key\]\.id$/.test(ref)) return volumes.logs;
    if (ref === "each.key") return hostname;
    m = /^(?:openstack_networking_floatingip_v2\.(?:master_(\d+)_fip|api_lb_fip)\.address|aws_eip\.master_(\d+)_ip\.public_ip)$/.exec(ref);
    if (m) {
      const address = apiAddresses[(m[1] ?? m[2]) ? Number(m[1] ?? m[2]) : apiAddresses.length - 1];
      if (address === undefined) throw new Error(`no public address given for ${ref}`);
      return address;
    }
    throw new Error(`unexpected reference in user_data: ${ref}`);
  };
}

/**
 * A file of a machine config that synthesis put into an object store (S3 or Swift), as Terraform
 * would fill it in: references to public addresses become `addresses[i]` (the load balancer's,
 * the last), a load balancer's DNS name becomes `lbName`; anything else is an error.
 */
export function servedConfigFile(
  tf: { resource: Record<string, Record<string, Record<string, unknown>>> },
  object: string,
  path: string,
  o: { addresses?: string[]; lbName?: string } = {},
): string {
  const content = (tf.resource.aws_s3_object?.[object] ?? tf.resource.openstack_objectstorage_object_v1?.[object])?.content;
  if (typeof content !== "string") throw new Error(`no object ${object}`);
  // certificates and keys: stand-ins (only their presence matters here)
  const config = evalTemplate(content, (ref) => {
    const m = /^(?:openstack_networking_floatingip_v2\.(?:master_(\d+)_fip|api_lb_fip)\.address|aws_eip\.master_(\d+)_ip\.public_ip)$/.exec(
      ref,
    );
    const addresses = o.addresses ?? [];
    if (m) return addresses[(m[1] ?? m[2]) ? Number(m[1] ?? m[2]) : addresses.length - 1] ?? "";
    if (ref === "aws_lb.api_lb.dns_name") return o.lbName ?? "";
    if (/^(tls_|random_|time_rotating|aws_ebs_volume|openstack_blockstorage)/.test(ref)) return "stand-in";
    if (TF_ADDON_VALUES[ref] !== undefined) return TF_ADDON_VALUES[ref];
    throw new Error(`unexpected reference ${ref}`);
  });
  const file = (
    JSON.parse(config) as { storage: { files: { path: string; contents: { source: string; compression?: string } }[] } }
  ).storage.files.find((f) => f.path === path);
  if (!file) throw new Error(`${path} is not in ${object}`);
  return decodeDataUrl(file.contents.source, file.contents.compression).toString("utf8");
}

/** The alternative names a master's certs.spec asks for one certificate (`file`) to carry. */
export function specSans(spec: string, file = "apiserver"): string[] {
  return (
    spec
      .split("\n")
      .find((l) => l.startsWith(`${file}|`))
      ?.split("|")[3]
      ?.split(",") ?? []
  );
}

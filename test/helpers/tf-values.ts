// What Terraform would fill in for the references in a node's user_data, taken from a local PKI:
// certificates, keys, the join seed and rotation time, volume ids and each.key. Anything else is an
// error.
import type { LocalPki } from "../../bootstrap/pki/local";

export function tfResolver(
  pki: LocalPki,
  hostname: string,
  volumes = { data: "/dev/vdb", logs: "/dev/vdc" },
  /** when time_rotating last moved (render's `now`) */
  rotated: Date = new Date(),
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
    if (ref === "time_rotating.join_period.unix") return String(Math.floor(rotated.getTime() / 1000));
    if (/^(openstack_blockstorage_volume_v3|aws_ebs_volume)\.etcd_\d+_data\.id$/.test(ref)) return volumes.data;
    if (/^openstack_blockstorage_volume_v3\.pool_[a-z0-9-]+_logs\[each\.key\]\.id$/.test(ref)) return volumes.logs;
    if (ref === "each.key") return hostname;
    throw new Error(`unexpected reference in user_data: ${ref}`);
  };
}

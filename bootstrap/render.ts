// `slipway render`: one machine's complete Ignition config with real values — certificates from a
// local PKI directory and the planned addresses — for bare metal, QEMU and tests. The parts and
// the builder are the ones synthesis uses; only the source of the values differs.
import { UserError } from "../clusters/model/errors";
import { ADDON_SECRETS, ENV_SAFE, jsonInner, secretEnv } from "./addons/secrets";
import { cloudOf } from "../clusters/model/clouds";
import type { Cluster } from "../clusters/model/load";
import { renderLocal, wrapConfig } from "./ignition/render";
import { joinPeriod, joinToken } from "./kube/join";
import { etcdPassword } from "./pki/etcd-users";
import type { AddonSecret, NodeTarget, NodeValues } from "./node";
import { localPki } from "./pki/local";
import { buildNode, nodeContext, placeholderValues } from "./roles";

export interface RenderOptions {
  target: NodeTarget;
  /** which machine of a worker pool (its host name); default 0 */
  index?: number;
  pkiDir: string;
  /** devices of the etcd data and logs volumes on this machine */
  dataDevice?: string;
  logsDevice?: string;
  /** the user_data form (a stub carrying the gzip-compressed config) instead of the plain config */
  wrapped?: boolean;
  /** public addresses of the API (floating IPs): the masters put them into their API server certificates */
  publicAddresses?: string[];
  /** the time whose join token a worker gets (default: now) */
  now?: Date;
  /** addon credentials, over what the environment holds (secrets.ts names the variables) */
  secrets?: Partial<Record<AddonSecret, string>>;
}

export interface Rendered {
  /** the Ignition config (JSON) */
  config: string;
  hostname: string;
  /** certificates the PKI directory got in this run */
  issued: string[];
  /** credentials Terraform would have made that this config goes without (their variable) */
  withoutSecrets: string[];
}

export function hostnameOf(cluster: Cluster, target: NodeTarget, index = 0): string {
  if (target.role !== "worker") {
    const ctx = nodeContext(cluster, target, placeholderValues({ hostname: "" }));
    return ctx.node?.name ?? "";
  }
  return `${cluster.config.name}-${target.pool}-${index}`;
}

export async function renderNode(cluster: Cluster, opts: RenderOptions): Promise<Rendered> {
  const { certs, issued, joinSeed, etcdSeed, encryptionKey } = await localPki(cluster, opts.pkiDir);
  const period = joinPeriod((opts.now ?? new Date()).getTime() / 1000, cluster.config.kubernetes.joinTokenDays);
  const hostname = hostnameOf(cluster, opts.target, opts.index);
  // machines of a group the cloud scales are named by the cloud, as on the Terraform path
  const cloud = cloudOf(cluster.config);
  const cloudNamed = cloud.namesPoolMachines && opts.target.role === "worker";
  const withoutSecrets = new Set<string>();
  const values: NodeValues = {
    ...(cloudNamed ? {} : { hostname }),
    pem: (name, kind) => {
      const c = certs.get(name);
      const pem = kind === "cert" ? c?.cert : kind === "key" ? c?.key : c?.publicKey;
      if (!pem) throw new Error(`no ${kind} ${name} in the cluster PKI`);
      return pem;
    },
    // the token of the current period (the masters accept it for two periods)
    joinToken: (pool) => joinToken(joinSeed, pool, period),
    joinSeed,
    etcdPassword: (group) => etcdPassword(etcdSeed, group),
    etcdSeed,
    encryptionKey,
    apiEndpoints: { ips: opts.publicAddresses ?? [], names: [] },
    addonSecret: (name) => {
      const s = ADDON_SECRETS[name];
      if (s.source === "pki") {
        const c = certs.get(s.pem);
        const pem = s.kind === "cert" ? c?.cert : c?.key;
        if (!pem) throw new Error(`no ${s.kind} ${s.pem} in the cluster PKI`);
        return jsonInner(pem);
      }
      const v = opts.secrets?.[name] ?? process.env[secretEnv(name)];
      if (v && "lands" in s && s.lands === "env") {
        if (!new RegExp(ENV_SAFE).test(v))
          throw new UserError(`${secretEnv(name)} holds characters an EnvironmentFile line cannot (${s.description})`);
        return v;
      }
      if (v) return jsonInner(v);
      // a credential Terraform makes: the rendered master goes without it (render says so)
      if (s.source === "cloud") {
        withoutSecrets.add(secretEnv(name));
        return undefined;
      }
      throw new UserError(`this master's addons need ${secretEnv(name)} in the environment (${s.description})`);
    },
    volume: (purpose) =>
      purpose === "etcd-data"
        ? (opts.dataDevice ?? cloud.devices.renderDefaults.etcdData)
        : (opts.logsDevice ?? cloud.devices.renderDefaults.logs),
  };
  const config = renderLocal(buildNode(cluster, opts.target, values));
  return { config: opts.wrapped ? wrapConfig(config) : config, hostname, issued, withoutSecrets: [...withoutSecrets] };
}

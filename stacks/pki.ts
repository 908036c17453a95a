// The cluster PKI in Terraform (hashicorp/tls): every entry of bootstrap/pki/spec.ts as an ECDSA
// P-256 key with, for CAs and leaves, a certificate (leaves: a request signed by their CA). Keys
// exist only in Terraform state; the synthesized JSON holds references such as
// ${tls_private_key.key_etcd-ca.private_key_pem}. Terraform re-issues a certificate
// pki.renewBeforeDays before it expires. Also the seed of the workers' join tokens (hashicorp/random)
// and their rotation period (hashicorp/time).
import { Password } from "@cdktf/provider-random/lib/password";
import { Bytes } from "@cdktf/provider-random/lib/bytes";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TimeProvider } from "@cdktf/provider-time/lib/provider";
import { Rotating } from "@cdktf/provider-time/lib/rotating";
import { CertRequest } from "@cdktf/provider-tls/lib/cert-request";
import { LocallySignedCert } from "@cdktf/provider-tls/lib/locally-signed-cert";
import { PrivateKey } from "@cdktf/provider-tls/lib/private-key";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import { SelfSignedCert } from "@cdktf/provider-tls/lib/self-signed-cert";
import { Fn, Op, TerraformVariable, type TerraformStack } from "cdktf";
import { Deferred } from "../bootstrap/ignition/builder";
import { ADDON_SECRETS, ENV_SAFE } from "../bootstrap/addons/secrets";
import type { AddonSecret } from "../bootstrap/node";
import { type CertSpec, certSpecs, type NodeGroup, type PemKind, pemBound } from "../bootstrap/pki/spec";
import type { Cluster } from "../clusters/model/load";

export interface IssuedCert {
  spec: CertSpec;
  certPem?: string;
  keyPem: string;
  publicKeyPem: string;
}

export class TerraformPki {
  private readonly certs = new Map<string, IssuedCert>();

  /** The API's apply-time public addresses and DNS names, for the masters' own certificates. */
  readonly apiEndpoints: { ips: Deferred[]; names: Deferred[] };

  private readonly addonSecrets = new Map<AddonSecret, Deferred>();

  constructor(
    private readonly stack: TerraformStack,
    cluster: Cluster,
    publicIps: string[],
    publicNames: string[] = [],
    /** the credentials the cloud's stack makes for addons (an expression each, called on first use) */
    private readonly cloudSecrets: Partial<Record<AddonSecret, () => string>> = {},
  ) {
    this.apiEndpoints = {
      ips: publicIps.map((e) => new Deferred(e, 15, "a public address of the API", "base64")),
      names: publicNames.map((e) => new Deferred(e, 253, "a public DNS name of the API", "base64")),
    };
    new TlsProvider(stack, "tls", {});
    const { pki } = cluster.config;
    const hours = (days: number) => days * 24;
    for (const spec of certSpecs(cluster)) {
      const id = spec.name.replace(/[^A-Za-z0-9_-]/g, "_");
      const key = new PrivateKey(stack, `key_${id}`, { algorithm: "ECDSA", ecdsaCurve: "P256" });
      const base = { spec, keyPem: key.privateKeyPem, publicKeyPem: key.publicKeyPem };
      const subject = [
        {
          ...(spec.commonName ? { commonName: spec.commonName } : {}),
          ...(spec.organization ? { organization: spec.organization } : {}),
          ...(spec.organizationalUnit ? { organizationalUnit: spec.organizationalUnit } : {}),
        },
      ];
      if (spec.kind === "keypair") {
        this.certs.set(spec.name, base);
        continue;
      }
      if (spec.kind === "ca" || spec.kind === "recipient") {
        // a CA signs; a recipient is a key others encrypt to (etcd backups): key agreement only
        const ca = spec.kind === "ca";
        const cert = new SelfSignedCert(stack, `cert_${id}`, {
          privateKeyPem: key.privateKeyPem,
          subject,
          isCaCertificate: ca,
          setSubjectKeyId: true,
          validityPeriodHours: hours(pki.caValidityDays),
          earlyRenewalHours: hours(pki.renewBeforeDays),
          allowedUses: ca ? ["cert_signing", "crl_signing", "digital_signature"] : ["key_agreement"],
        });
        this.certs.set(spec.name, { ...base, certPem: cert.certPem });
        continue;
      }
      const ca = this.certs.get(spec.ca ?? "");
      if (!ca?.certPem) throw new Error(`${spec.name}: CA ${spec.ca} must come first`);
      const ips = spec.ipAddresses;
      const names = spec.dnsNames;
      const csr = new CertRequest(stack, `csr_${id}`, {
        privateKeyPem: key.privateKeyPem,
        subject,
        ...(names.length ? { dnsNames: names } : {}),
        ...(ips.length ? { ipAddresses: ips } : {}),
      });
      const cert = new LocallySignedCert(stack, `cert_${id}`, {
        certRequestPem: csr.certRequestPem,
        caCertPem: ca.certPem,
        caPrivateKeyPem: ca.keyPem,
        validityPeriodHours: hours(spec.lifetime === "ca" ? pki.caValidityDays : pki.certValidityDays),
        earlyRenewalHours: hours(pki.renewBeforeDays),
        allowedUses: ["digital_signature", "key_encipherment", ...spec.usages],
      });
      this.certs.set(spec.name, { ...base, certPem: cert.certPem });
    }

    // Workers join with per-pool bootstrap tokens derived from one seed (bootstrap/kube/join.ts).
    // time_rotating moves on every joinTokenDays: the next apply puts the then current tokens
    // into new machines' configs (running machines ignore user_data changes).
    new RandomProvider(stack, "random", {});
    new TimeProvider(stack, "time", {});
    this.joinTokenDays = cluster.config.kubernetes.joinTokenDays;
    this.seed = new Password(stack, "join_seed", { length: 32, special: false, upper: false });
    // the API servers' key for Secrets at rest: made once, kept in state (changing it would make
    // every Secret unreadable)
    this.secretsKey = new Bytes(stack, "secrets_key", { length: 32 });
    this.etcdSeedPassword = new Password(stack, "etcd_seed", { length: 32, special: false, upper: false });
    this.joinPeriod = new Rotating(stack, "join_period", { rotationDays: this.joinTokenDays });
  }

  private readonly joinTokenDays: number;
  private readonly seed: Password;
  private readonly secretsKey: Bytes;
  private readonly etcdSeedPassword: Password;

  /** The seed of the node groups' etcd passwords (etcd members create the users from it). */
  get etcdSeed(): Deferred {
    return new Deferred(this.etcdSeedPassword.result, 32, "etcd password seed", "base64");
  }

  /** A node group's etcd password, as Terraform derives it (pki/etcd-users.ts). */
  etcdPassword(group: NodeGroup): Deferred {
    return new Deferred(
      Fn.substr(Fn.sha256(Fn.format("%s:etcd:%s", [this.etcdSeedPassword.result, group])), 0, 32),
      32,
      `etcd password of ${group}`,
      "base64",
    );
  }

  /**
   * A credential an addon needs: a sensitive Terraform variable (TF_VAR_<name> at apply time), or
   * what the cloud's stack makes. Either reaches the masters' configs through state, never the
   * synthesized JSON.
   */
  addonSecret(name: AddonSecret): Deferred {
    let d = this.addonSecrets.get(name);
    if (!d) {
      const s = ADDON_SECRETS[name];
      let value: string;
      if (s.source === "pki") {
        const c = this.certs.get(s.pem);
        const pem = s.kind === "cert" ? c?.certPem : c?.keyPem;
        if (!pem) throw new Error(`no ${s.kind} ${s.pem} in the cluster PKI`);
        value = pem;
      } else if (s.source === "variable") {
        const v = new TerraformVariable(this.stack, s.variable, {
          type: "string",
          sensitive: true,
          nullable: false,
          description: s.description,
          validation: [{ condition: `\${can(regex("${s.pattern}", var.${s.variable}))}`, errorMessage: s.refused }],
        });
        value = v.stringValue;
      } else {
        const make = this.cloudSecrets[name];
        if (!make) throw new Error(`this cloud's stack makes no ${name}`);
        value = make();
      }
      d =
        "lands" in s && s.lands === "env"
          ? // a line of an EnvironmentFile: as it is, and refused at apply if it could break the line
            new Deferred(Fn.regex(ENV_SAFE, value), s.maxLength, s.description, "base64")
          : // JSON-escaped: the value lands inside a JSON string (bootstrap/addons/secrets.ts)
            new Deferred(
              Fn.trimsuffix(Fn.trimprefix(Fn.jsonencode(value), Fn.rawString('"')), Fn.rawString('"')),
              s.maxLength * 2,
              s.description,
              "base64",
            );
      this.addonSecrets.set(name, d);
    }
    return d;
  }

  /** The Secrets encryption key (32 bytes, base64: 44 characters). */
  get encryptionKey(): Deferred {
    return new Deferred(this.secretsKey.base64, 44, "Secrets encryption key", "base64");
  }
  private readonly joinPeriod: Rotating;

  /** The seed as a deferred value (masters derive every pool's tokens from it). */
  get joinSeed(): Deferred {
    return new Deferred(this.seed.result, 32, "join token seed", "base64");
  }

  /** A pool's token for the period the rotation timestamp lies in, as Terraform computes it. */
  joinToken(pool: string): { id: Deferred; secret: Deferred } {
    const period = Fn.floor(Op.div(this.joinPeriod.unix, this.joinTokenDays * 86_400));
    const part = (what: string, n: number) =>
      new Deferred(
        Fn.substr(Fn.sha256(Fn.format(`%s:%s:%d:${what}`, [this.seed.result, pool, period])), 0, n),
        n,
        `join token ${what} of pool ${pool}`,
        "base64",
      );
    return { id: part("id", 6), secret: part("secret", 16) };
  }

  /** A PEM as a deferred value for a node config. */
  pem(name: string, kind: PemKind): Deferred {
    const c = this.certs.get(name);
    if (!c) throw new Error(`no certificate or key ${name} in the cluster PKI`);
    const issuer = c.spec.ca ? this.certs.get(c.spec.ca)?.spec : undefined;
    const expression = kind === "cert" ? c.certPem : kind === "key" ? c.keyPem : c.publicKeyPem;
    if (!expression) throw new Error(`${name} has no certificate`);
    return new Deferred(expression, pemBound(c.spec, kind, issuer), `${kind} of ${name}`, "base64");
  }

  /** Terraform expressions of a certificate and key (for outputs such as the admin kubeconfig). */
  issued(name: string): IssuedCert {
    const c = this.certs.get(name);
    if (!c) throw new Error(`no certificate ${name} in the cluster PKI`);
    return c;
  }
}

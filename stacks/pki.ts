// The cluster PKI in Terraform (hashicorp/tls): every certificate of bootstrap/pki/spec.ts as an
// ECDSA P-256 key, a request and a certificate signed by its CA. Keys exist only in Terraform
// state; the synthesized JSON holds references such as ${tls_private_key.etcd-ca.private_key_pem}.
// Terraform re-issues a certificate pki.renewBeforeDays before it expires.
import { CertRequest } from "@cdktf/provider-tls/lib/cert-request";
import { LocallySignedCert } from "@cdktf/provider-tls/lib/locally-signed-cert";
import { PrivateKey } from "@cdktf/provider-tls/lib/private-key";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import { SelfSignedCert } from "@cdktf/provider-tls/lib/self-signed-cert";
import type { TerraformStack } from "cdktf";
import { Deferred } from "../bootstrap/ignition/builder";
import { type CertSpec, certSpecs, pemBound } from "../bootstrap/pki/spec";
import type { Cluster } from "./model/load";

export interface IssuedCert {
  spec: CertSpec;
  certPem: string;
  keyPem: string;
}

export class TerraformPki {
  private readonly certs = new Map<string, IssuedCert>();

  constructor(stack: TerraformStack, cluster: Cluster) {
    new TlsProvider(stack, "tls", {});
    const { pki } = cluster.config;
    const hours = (days: number) => days * 24;
    for (const spec of certSpecs(cluster)) {
      const id = spec.name.replace(/[^A-Za-z0-9_-]/g, "_");
      const key = new PrivateKey(stack, `key_${id}`, { algorithm: "ECDSA", ecdsaCurve: "P256" });
      const subject = [
        {
          ...(spec.commonName ? { commonName: spec.commonName } : {}),
          ...(spec.organization ? { organization: spec.organization } : {}),
          ...(spec.organizationalUnit ? { organizationalUnit: spec.organizationalUnit } : {}),
        },
      ];
      if (!spec.ca) {
        const ca = new SelfSignedCert(stack, `cert_${id}`, {
          privateKeyPem: key.privateKeyPem,
          subject,
          isCaCertificate: true,
          setSubjectKeyId: true,
          validityPeriodHours: hours(pki.caValidityDays),
          earlyRenewalHours: hours(pki.renewBeforeDays),
          allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
        });
        this.certs.set(spec.name, { spec, certPem: ca.certPem, keyPem: key.privateKeyPem });
        continue;
      }
      const ca = this.certs.get(spec.ca);
      if (!ca) throw new Error(`${spec.name}: CA ${spec.ca} must come first`);
      const csr = new CertRequest(stack, `csr_${id}`, {
        privateKeyPem: key.privateKeyPem,
        subject,
        ...(spec.dnsNames.length ? { dnsNames: spec.dnsNames } : {}),
        ...(spec.ipAddresses.length ? { ipAddresses: spec.ipAddresses } : {}),
      });
      const cert = new LocallySignedCert(stack, `cert_${id}`, {
        certRequestPem: csr.certRequestPem,
        caCertPem: ca.certPem,
        caPrivateKeyPem: ca.keyPem,
        validityPeriodHours: hours(pki.certValidityDays),
        earlyRenewalHours: hours(pki.renewBeforeDays),
        allowedUses: ["digital_signature", "key_encipherment", ...spec.usages],
      });
      this.certs.set(spec.name, { spec, certPem: cert.certPem, keyPem: key.privateKeyPem });
    }
  }

  /** A PEM as a deferred value for a node config. */
  pem(name: string, kind: "cert" | "key"): Deferred {
    const c = this.certs.get(name);
    if (!c) throw new Error(`no certificate ${name} in the cluster PKI`);
    const issuer = c.spec.ca ? this.certs.get(c.spec.ca)?.spec : undefined;
    return new Deferred(
      kind === "cert" ? c.certPem : c.keyPem,
      pemBound(c.spec, kind, issuer),
      `${kind === "cert" ? "certificate" : "key"} ${name}`,
      "base64",
    );
  }
}

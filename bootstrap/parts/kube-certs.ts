// On masters: the control plane's certificates, issued by the master itself from the CAs it
// holds (scripts/kube-certs.sh) before the kubelet starts and renewed daily — none of them in
// user_data, none needing the machine replaced. The spec says exactly what each must be; a
// certificate that no longer matches it (a new public address) is issued again.
import type { Text } from "../ignition/builder";
import type { NodeContext, Part } from "../node";
import { FRONT_PROXY_CA, masterCerts } from "../pki/spec";
import { CONTROL_PLANE_USERS } from "./control-plane";
import { KUBELET } from "./kubelet";
import { PATHS, script, UNIT_PATH } from "./files";

export const CERT_SPEC = `${PATHS.kubePki}/certs.spec`;

/** Keys read by a control-plane component that runs as a user of its own: that user owns them. */
const KEY_OWNERS: Record<string, number> = {
  "controller-manager": CONTROL_PLANE_USERS["kube-controller-manager"],
  scheduler: CONTROL_PLANE_USERS["kube-scheduler"],
};

/** The days a master-issued certificate lives; it is renewed pki.renewBeforeDays before its end. */
export function masterCertDays(pki: { certValidityDays: number; renewBeforeDays: number }): { days: number; renew: number } {
  const days = Math.min(365, pki.certValidityDays);
  return { days, renew: Math.min(pki.renewBeforeDays, days - 1) };
}

function specLines(ctx: NodeContext): Text {
  const node = ctx.node;
  if (!node) throw new Error("a master needs its planned machine");
  const out: Text[] = [];
  for (const c of masterCerts(ctx.cluster, node)) {
    const sans: Text[] = [...c.dnsNames.map((d) => `DNS:${d}`), ...c.ipAddresses.map((i) => `IP:${i}`)];
    if (c.publicEndpoints) {
      for (const ip of ctx.values.apiEndpoints.ips) sans.push(["IP:", ip]);
      for (const name of ctx.values.apiEndpoints.names) sans.push(["DNS:", name]);
    }
    const joined: Text[] = sans.flatMap((s, i) => (i ? [",", s] : [s]));
    const owner = KEY_OWNERS[c.file] ?? "";
    out.push([`${c.file}|${c.ca}|${c.subject}|`, ...joined, `|${c.usage}|${owner}\n`]);
  }
  return out;
}

export const kubeCertsPart: Part = {
  name: "kube-certs",
  apply(b, ctx) {
    const dir = PATHS.kubePki;
    b.file(`${dir}/front-proxy-ca.key`, ctx.values.pem(FRONT_PROXY_CA, "key"), { mode: 0o600 });
    b.file(CERT_SPEC, specLines(ctx));
    const run = script(b, "kube-certs");
    const { days, renew } = masterCertDays(ctx.cluster.config.pki);
    const env = [
      `Environment=KUBE_PKI=${dir}`,
      `Environment=CERT_SPEC=${CERT_SPEC}`,
      `Environment=CERT_DAYS=${days}`,
      `Environment=CERT_RENEW_DAYS=${renew}`,
      `Environment=KUBELET_CERT_DIR=${KUBELET.certDir}`,
      `Environment=MANIFESTS=${PATHS.manifests}`,
    ].join("\n");
    b.unit(
      "kube-certs.service",
      `[Unit]
Description=Issue and renew this master's control-plane certificates
Before=kubelet.service

[Service]
Type=oneshot
RemainAfterExit=true
${UNIT_PATH}
${env}
ExecStart=${run}

[Install]
WantedBy=multi-user.target
`,
      { enabled: true },
    );
    // daily: RemainAfterExit keeps the service active, so the timer runs a copy of it
    b.unit(
      "kube-certs-renew.service",
      `[Unit]
Description=Renew this master's control-plane certificates when they are due

[Service]
Type=oneshot
${UNIT_PATH}
${env}
ExecStart=${run}
`,
    );
    b.unit(
      "kube-certs-renew.timer",
      `[Unit]
Description=Renew this master's control-plane certificates when they are due, daily

[Timer]
OnCalendar=daily
RandomizedDelaySec=2h
Persistent=true

[Install]
WantedBy=timers.target
`,
      { enabled: true },
    );
  },
};

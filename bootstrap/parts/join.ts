// On masters: how workers join. join-tokens.service keeps each pool's bootstrap tokens (derived
// from the seed, kube/join.ts) in the cluster, at boot and every six hours; approve-csrs.service
// is the narrow approver of the certificates joining workers and kubelets' serving endpoints ask
// for (scripts/approve-csrs.sh says what it allows). Both use the masters' super-admin identity:
// the masters hold the cluster CA's key, so it widens nothing.
import { cloudOf } from "../../clusters/model/clouds";
import { JOIN_SEED_FILE } from "../kube/join";
import type { Part } from "../node";
import { KUBECONFIGS } from "./control-plane";
import { envFile, foreverService, PATHS, script, UNIT_PATH } from "./files";

export const CSR_RULES = `${PATHS.env}/csr-rules.json`;

export const joinPart: Part = {
  name: "join",
  apply(b, ctx) {
    const { config, plan } = ctx.cluster;
    b.file(JOIN_SEED_FILE, [ctx.values.joinSeed, "\n"], { mode: 0o600 });
    b.file(
      `${PATHS.env}/join.env`,
      envFile({
        JOIN_TOKEN_DAYS: String(config.kubernetes.joinTokenDays),
        JOIN_SEED_FILE: JOIN_SEED_FILE,
        JOIN_POOLS: plan.pools.map((p) => p.name).join(","),
      }),
    );
    const tokens = script(b, "join-tokens");
    b.unit(
      "join-tokens.service",
      `[Unit]
Description=Keep the worker pools' bootstrap tokens in the cluster
After=kube-bootstrap.service

[Service]
Type=oneshot
${UNIT_PATH}
EnvironmentFile=${PATHS.env}/join.env
Environment=KUBECONFIG=${KUBECONFIGS.superAdmin}
ExecStart=${tokens}
TimeoutStartSec=0
`,
    );
    b.unit(
      "join-tokens.timer",
      `[Unit]
Description=Keep the worker pools' bootstrap tokens in the cluster, at boot and every six hours

[Timer]
OnBootSec=1min
OnUnitActiveSec=6h
RandomizedDelaySec=10min

[Install]
WantedBy=timers.target
`,
      { enabled: true },
    );

    const cloud = cloudOf(config);
    const rules = { pools: Object.fromEntries(plan.pools.map((p) => [p.name, cloud.joinNames(config, plan, p.name)])) };
    b.file(CSR_RULES, `${JSON.stringify(rules, null, 1)}\n`);
    const approver = script(b, "approve-csrs");
    foreverService(b, "approve-csrs.service", {
      description: "Approve the certificates joining workers and kubelets' serving endpoints may have",
      unit: ["After=kube-bootstrap.service"],
      service: [`Environment=KUBECONFIG=${KUBECONFIGS.superAdmin}`, `Environment=CSR_RULES=${CSR_RULES}`],
      exec: approver,
    });
  },
};

// etcd backups (etcd members only, with etcd.backup on): etcd-backup.timer fires on every member
// at each interval's slot and scripts/etcd-backup.sh acts only on the current leader — one
// snapshot per interval, whoever leads, and no lock to hold across a reboot. The members hold the
// backup certificate (what snapshots are encrypted to) and the store's write-only credential;
// the key that decrypts them stays in Terraform state (or the local PKI). The store is the cloud's
// (Swift on OpenStack, S3 on AWS); the script has a case for each. A snapshot holds every
// Secret of the cluster: hence the encryption, whatever the store offers on top.
import type { AddonSecret } from "../../clusters/model/addons";
import { cloudOf } from "../../clusters/model/clouds";
import type { BackupConfig } from "../../clusters/model/fragments";
import { PORTS } from "../../clusters/model/ports";
import type { Text } from "../ignition/builder";
import type { Part } from "../node";
import { ETCD_BACKUP } from "../pki/spec";
import { envFile, PATHS, script, UNIT_PATH } from "./files";

export const BACKUP_ENV = `${PATHS.env}/etcd-backup.env`;
export const BACKUP_RECIPIENT = `${PATHS.etcdTls}/backup-recipient.crt`;
export const BACKUP_CONTAINER = (cluster: string) => `${cluster}-etcd-backups`;

/** Each store's settings in the EnvironmentFile, and the value (from Terraform) each one holds. */
const STORE_SETTINGS: Record<"swift" | "s3", Record<string, AddonSecret>> = {
  swift: {
    SWIFT_AUTH_URL: "etcd-backup-auth-url",
    SWIFT_REGION: "etcd-backup-region",
    SWIFT_CREDENTIAL_ID: "etcd-backup-credential-id",
    SWIFT_CREDENTIAL_SECRET: "etcd-backup-credential-secret",
  },
  // the credentials are the etcd machines' instance role's, from the metadata service
  s3: { S3_URL: "etcd-backup-s3-url", S3_REGION: "etcd-backup-region" },
};

/** systemd's calendar for "every N minutes from midnight" (N divides an hour, or is whole hours dividing a day). */
export function backupCalendar(every: number): string {
  if (every < 60) return `*-*-* *:00/${every}:00`;
  // once a day is midnight: systemd refuses a repetition of 24 hours ("00/24")
  return every === 1440 ? "*-*-* 00:00:00" : `*-*-* 00/${every / 60}:00:00`;
}

export const backupSeconds = (b: BackupConfig) => ({
  recent: b.keep.recentHours * 3600,
  hourly: b.keep.hourlyDays * 86_400,
  daily: b.keep.dailyDays * 86_400,
});

export const etcdBackupPart: Part = {
  name: "etcd-backup",
  apply(b, ctx) {
    const { cluster, node, values } = ctx;
    const backup = cluster.config.etcd.backup;
    if (!backup.enabled || !node) return;
    // the store's settings and credential, from Terraform (state) or the render's environment
    const store = cloudOf(cluster.config).backupStore;
    const settings = Object.entries(STORE_SETTINGS[store]).map(([env, secret]) => [env, values.addonSecret(secret)] as const);
    // a path that cannot know them (rendering without them: render says so) goes without backups
    if (settings.some(([, v]) => v === undefined)) return;
    const tls = PATHS.etcdTls;
    const keep = backupSeconds(backup);
    b.file(BACKUP_RECIPIENT, values.pem(ETCD_BACKUP, "cert"), { mode: 0o644 });
    b.file(
      BACKUP_ENV,
      [
        envFile({
          BACKUP_STORE: store,
          BACKUP_PREFIX: cluster.config.name,
          BACKUP_RECIPIENT,
          BACKUP_EVERY_MINUTES: String(backup.everyMinutes),
          KEEP_RECENT_SECONDS: String(keep.recent),
          KEEP_HOURLY_SECONDS: String(keep.hourly),
          KEEP_DAILY_SECONDS: String(keep.daily),
          ...(store === "swift" ? { SWIFT_CONTAINER: BACKUP_CONTAINER(cluster.config.name) } : {}),
          // this member itself, as etcd's root (a snapshot needs it)
          ETCDCTL_ENDPOINTS: `https://${node.ip}:${PORTS.etcdClient}`,
          ETCDCTL_CACERT: `${tls}/ca.crt`,
          ETCDCTL_CERT: `${tls}/root.crt`,
          ETCDCTL_KEY: `${tls}/root.key`,
          ETCDCTL_DIAL_TIMEOUT: "5s",
          ETCDCTL_COMMAND_TIMEOUT: "10m",
        }),
        // values from state, each checked by Terraform to fit an EnvironmentFile line (secrets.ts)
        ...settings.flatMap(([env, v]) => [`${env}=`, v as Text, "\n"]),
      ],
      { mode: 0o600 },
    );
    // the store's sign-in and upload first: only the cloud's store reaches the machine
    const run = script(b, "etcd-backup", undefined, [`bootstrap/scripts/etcd-backup-${store}.sh`]);
    b.unit(
      "etcd-backup.service",
      `[Unit]
Description=Back etcd up to the object store (the leader does; the others exit at once)
Documentation=https://etcd.io/docs/v3.6/op-guide/recovery/
After=etcd-member.service etcd-auth.service network-online.target
Wants=network-online.target

[Service]
Type=oneshot
${UNIT_PATH}
EnvironmentFile=${BACKUP_ENV}
ExecStart=${run}
Nice=10
IOSchedulingClass=idle
TimeoutStartSec=30min
`,
    );
    b.unit(
      "etcd-backup.timer",
      `[Unit]
Description=Back etcd up every ${backup.everyMinutes} minutes

[Timer]
OnCalendar=${backupCalendar(backup.everyMinutes)}
AccuracySec=1s

[Install]
WantedBy=timers.target
`,
      { enabled: true },
    );
  },
};

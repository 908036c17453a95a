// etcd backups (etcd members only, with etcd.backup on): etcd-backup.timer fires on every member
// at each interval's slot and scripts/etcd-backup.sh acts only on the current leader — one
// snapshot per interval, whoever leads, and no lock to hold across a reboot. The members hold the
// backup certificate (what snapshots are encrypted to) and the store's write-only credential;
// the key that decrypts them stays in Terraform state (or the local PKI). A snapshot holds every
// Secret of the cluster: hence the encryption, whatever the store offers on top.
import type { BackupConfig } from "../../clusters/model/fragments";
import { PORTS } from "../../clusters/model/ports";
import type { Text } from "../ignition/builder";
import type { Part } from "../node";
import { ETCD_BACKUP } from "../pki/spec";
import { envFile, PATHS, script, UNIT_PATH } from "./files";

export const BACKUP_ENV = `${PATHS.env}/etcd-backup.env`;
export const BACKUP_RECIPIENT = `${PATHS.etcdTls}/backup-recipient.crt`;
export const BACKUP_CONTAINER = (cluster: string) => `${cluster}-etcd-backups`;

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
    const creds = {
      id: values.addonSecret("etcd-backup-credential-id"),
      secret: values.addonSecret("etcd-backup-credential-secret"),
      authUrl: values.addonSecret("etcd-backup-auth-url"),
      region: values.addonSecret("etcd-backup-region"),
    };
    // a path that cannot know the credential (rendering without it: render says so) goes without backups
    if (Object.values(creds).some((v) => v === undefined)) return;
    const tls = PATHS.etcdTls;
    const keep = backupSeconds(backup);
    b.file(BACKUP_RECIPIENT, values.pem(ETCD_BACKUP, "cert"), { mode: 0o644 });
    b.file(
      BACKUP_ENV,
      [
        envFile({
          BACKUP_STORE: "swift",
          BACKUP_PREFIX: cluster.config.name,
          BACKUP_RECIPIENT,
          BACKUP_EVERY_MINUTES: String(backup.everyMinutes),
          KEEP_RECENT_SECONDS: String(keep.recent),
          KEEP_HOURLY_SECONDS: String(keep.hourly),
          KEEP_DAILY_SECONDS: String(keep.daily),
          SWIFT_CONTAINER: BACKUP_CONTAINER(cluster.config.name),
          // this member itself, as etcd's root (a snapshot needs it)
          ETCDCTL_ENDPOINTS: `https://${node.ip}:${PORTS.etcdClient}`,
          ETCDCTL_CACERT: `${tls}/ca.crt`,
          ETCDCTL_CERT: `${tls}/root.crt`,
          ETCDCTL_KEY: `${tls}/root.key`,
          ETCDCTL_DIAL_TIMEOUT: "5s",
          ETCDCTL_COMMAND_TIMEOUT: "10m",
        }),
        "SWIFT_AUTH_URL=",
        creds.authUrl as Text,
        "\nSWIFT_REGION=",
        creds.region as Text,
        "\nSWIFT_CREDENTIAL_ID=",
        creds.id as Text,
        "\nSWIFT_CREDENTIAL_SECRET=",
        creds.secret as Text,
        "\n",
      ],
      { mode: 0o600 },
    );
    const run = script(b, "etcd-backup");
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

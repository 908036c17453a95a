// Where the etcd members put their backups (etcd.backup): a private Swift container of the
// cluster, and an application credential that can do one thing with it — PUT objects into it.
// Its access rules (enforced by the object store's keystonemiddleware) allow no GET, HEAD or
// DELETE, so a member taken over can neither read old snapshots nor delete them; retention is
// the store's own (X-Delete-After on each object, see bootstrap/scripts/etcd-backup.sh). The
// credential's id and secret live in state and reach only the etcd members' configs.
import { TerraformOutput, type TerraformStack } from "cdktf";
import { BACKUP_CONTAINER } from "../../bootstrap/parts/etcd-backup";
import type { AddonSecret } from "../../bootstrap/node";
import type { OpenstackClusterConfig } from "./cloud";
import type { Identity } from "./cloud-glue";
import { IdentityApplicationCredentialV3 } from "./gen/identity-application-credential-v3";
import { ObjectstorageContainerV1 } from "./gen/objectstorage-container-v1";

/** The access rule path of objects in the container: /v1/<any account>/<container>/<anything>. */
export const backupAccessPath = (container: string) => `/v1/*/${container}/**`;

/** The backup store's values for the members' configs, as Terraform expressions (none with etcd.backup off). */
export function backupStore(
  stack: TerraformStack,
  config: OpenstackClusterConfig,
  identity: Identity,
): Partial<Record<AddonSecret, () => string>> {
  if (!config.etcd.backup.enabled) return {};
  let made: { id: string; secret: string } | undefined;
  const make = () => {
    if (made) return made;
    const name = BACKUP_CONTAINER(config.name);
    new ObjectstorageContainerV1(stack, "etcd_backups_container", {
      name,
      // no read or write ACL: only the project's own credentials reach it
      ...(config.openstack.region ? { region: config.openstack.region } : {}),
      // a destroyed cluster's backups are what might bring it back: never deleted with the stack
      forceDestroy: false,
      lifecycle: { preventDestroy: config.etcd.preventDestroy },
    });
    const cred = new IdentityApplicationCredentialV3(stack, "etcd_backups", {
      name: `${config.name}-etcd-backups`,
      description: `${config.name}: etcd members upload backups (PUT into ${name} only)`,
      roles: config.addons.cloudController.roles,
      unrestricted: false,
      accessRules: [{ service: "object-store", method: "PUT", path: backupAccessPath(name) }],
    });
    new TerraformOutput(stack, "etcd_backup_location", {
      description: "where the etcd leader uploads backups (latest.json: the newest)",
      value: `swift://${name}/${config.name}/`,
    });
    made = { id: cred.id, secret: cred.secret };
    return made;
  };
  // each value made on first use, the container and credential with the first of them
  return {
    "etcd-backup-credential-id": () => make().id,
    "etcd-backup-credential-secret": () => make().secret,
    "etcd-backup-auth-url": () => {
      make();
      return identity.get().authUrl;
    },
    "etcd-backup-region": () => {
      make();
      return identity.get().region;
    },
  };
}

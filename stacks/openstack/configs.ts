// With openstack.configStore: swift, a machine config over half of Nova's user_data limit (masters:
// the CAs' keys, the control plane's manifests and scripts) is an object in a private Swift
// container of the cluster, and the machine's user_data a small Ignition stub whose
// `ignition.config.replace` names a temporary URL of it and its SHA-512, which Ignition checks
// before it uses a byte. The URL is as secret as user_data was (both are readable only by who can
// read the instance) and lives a day; Terraform makes a new one when an apply finds it expired,
// so a machine created later gets a working URL. Worker pools (one config per machine of the
// pool, by for_each) stay inline: they are far below the limit.
import { Password } from "@cdktf/provider-random/lib/password";
import { Fn, type TerraformStack } from "cdktf";
import { IGNITION_VERSION } from "../../bootstrap/ignition/spec";
import { tfText, type UserData, type UserDataBudget } from "../userdata";
import { ObjectstorageContainerV1 } from "./gen/objectstorage-container-v1";
import { ObjectstorageObjectV1 } from "./gen/objectstorage-object-v1";
import { ObjectstorageTempurlV1 } from "./gen/objectstorage-tempurl-v1";

/** How long a temporary URL works: the machine fetches its config within minutes of creation. */
export const TEMP_URL_SECONDS = 86_400;
/** The longest temporary URL we allow for in the budget (endpoint, account, container, object, signature). */
const MAX_URL = 1024;

export class SwiftConfigStore {
  private container?: ObjectstorageContainerV1;
  private key?: Password;

  constructor(
    private readonly stack: TerraformStack,
    private readonly cluster: string,
    private readonly enabled: boolean,
  ) {}

  private ensureContainer(): { container: ObjectstorageContainerV1; key: Password } {
    if (this.container && this.key) return { container: this.container, key: this.key };
    // the container's own temporary-URL key: no account-wide key is touched
    this.key = new Password(this.stack, "configs_tempurl_key", { length: 40, special: false });
    this.container = new ObjectstorageContainerV1(this.stack, "configs", {
      name: `${this.cluster}-ignition`,
      // private: no read or write ACL; objects reach machines only by their temporary URLs
      metadata: { "Temp-URL-Key": this.key.result },
      forceDestroy: true,
    });
    return { container: this.container, key: this.key };
  }

  /** `ud` as it goes into user_data: itself, or (store on and over half the limit) a pointer. */
  place(budget: UserDataBudget, label: string, key: string, ud: UserData): UserData {
    if (!this.enabled || budget.withinHeadroom(ud)) return budget.record(label, ud);
    const { container, key: secret } = this.ensureContainer();
    const id = key.replace(/[^A-Za-z0-9_-]/g, "_");
    const object = new ObjectstorageObjectV1(this.stack, `config_${id}`, {
      containerName: container.name,
      name: `${key}.ign`,
      content: ud.config,
      contentType: "application/vnd.coreos.ignition+json",
    });
    const url = new ObjectstorageTempurlV1(this.stack, `config_${id}_url`, {
      container: container.name,
      object: object.name,
      method: "get",
      ttl: TEMP_URL_SECONDS,
      key: secret.result,
      regenerate: true,
    });
    const pointer = (source: string, hash: string) =>
      JSON.stringify({
        ignition: { version: IGNITION_VERSION, config: { replace: { source, verification: { hash: `sha512-${hash}` } } } },
      });
    const [a, rest] = pointer("@@U@@", "@@H@@").split("@@U@@") as [string, string];
    const [b, c] = rest.split("@@H@@") as [string, string];
    const maxBytes = pointer("u".repeat(MAX_URL), "0".repeat(128)).length;
    return budget.record(label, {
      ...tfText([a, { expr: url.url }, b, { expr: Fn.sha512(object.content) }, c]),
      maxBytes,
      config: ud.config,
      servedFrom: "Swift",
    });
  }
}

// OpenPGP verification of a detached signature (Flatcar's DIGESTS.asc) against a public key.
// The signing key is judged at the time of the signature: a release signed by a subkey that has
// expired since is still genuine; a revoked key or a wrong signature is not.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as openpgp from "openpgp";
import { ImageError } from "./errors";

export const FLATCAR_KEY = join(__dirname, "keys", "flatcar-image-signing-key.asc");

export async function readPublicKey(file = FLATCAR_KEY): Promise<openpgp.Key> {
  let armored: string;
  try {
    armored = readFileSync(file, "utf8");
  } catch (e) {
    throw new ImageError(
      `cannot read signing key ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`,
    );
  }
  try {
    return await openpgp.readKey({ armoredKey: armored });
  } catch (e) {
    throw new ImageError(`${file} is not an OpenPGP public key: ${(e as Error).message}`);
  }
}

/** Throws ImageError unless `signature` (armored, detached) is a valid signature of `data` by `key`. */
export async function verifyDetached(data: Uint8Array, armoredSignature: string, key: openpgp.Key, what: string): Promise<void> {
  let signature: openpgp.Signature;
  try {
    signature = await openpgp.readSignature({ armoredSignature });
  } catch (e) {
    throw new ImageError(`${what}: the signature file is not an OpenPGP signature (${(e as Error).message})`);
  }
  const created = signature.packets[0]?.created ?? undefined;
  const message = await openpgp.createMessage({ binary: data });
  const result = await openpgp.verify({ message, signature, verificationKeys: key, ...(created ? { date: created } : {}) });
  const first = result.signatures[0];
  if (!first) throw new ImageError(`${what}: the signature file holds no signature`);
  try {
    await first.verified;
  } catch (e) {
    const msg = (e as Error).message;
    const known = /Could not find signing key/i.test(msg)
      ? `it was not made by the signing key ${key.getFingerprint().toUpperCase()} (wrong or outdated key? pass a newer one with --signing-key)`
      : msg;
    throw new ImageError(`${what}: bad signature: ${known}`);
  }
}
